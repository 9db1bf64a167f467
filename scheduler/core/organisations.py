"""A counterpart organisation across missions: every meeting with it, who attended, notes and
outcomes, its action items and their state, and the next step.

Pure. Missions store their counterparts separately (each mission file has its own ids), so an
organisation is recognised across missions by its name, compared without case, spacing or
punctuation (`org_key`). The history is built from each mission's report (`core.report`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from scheduler.core.report import Report, ReportItem, ReportMeeting


def org_key(name: str) -> str:
    """`Minato Technology Corporation` → `minato-technology-corporation` (stable across missions)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "organisation"


@dataclass(frozen=True, kw_only=True)
class MissionPart:
    """What one mission did with the organisation."""

    mission_id: int
    mission: str
    start: date
    end: date
    meetings: tuple[ReportMeeting, ...]


@dataclass(frozen=True, kw_only=True)
class OrgHistory:
    key: str
    name: str
    missions: tuple[MissionPart, ...]  # oldest mission first
    open_items: tuple[ReportItem, ...]  # across missions, earliest due first
    next_step: str


def _next_step(parts: Sequence[MissionPart], open_items: Sequence[ReportItem], now: datetime) -> str:
    coming = sorted(
        (m for p in parts for m in p.meetings if m.state == "booked" and m.start and m.start > now),
        key=lambda m: m.start or now,
    )
    if coming:
        return f"Next meeting: {coming[0].title}"
    if open_items:
        first = open_items[0]
        due = f" (due {first.item.due.isoformat()})" if first.item.due else ""
        who = f"{first.owner_name}: " if first.owner_name else ""
        return f"Open action item: {who}{first.item.text}{due}"
    proposed = [m for p in parts for m in p.meetings if m.state == "proposed"]
    if proposed:
        return f"Waiting for an answer: {proposed[0].title}"
    return "Nothing open: propose a follow-up"


def history(key: str, reports: Sequence[tuple[int, Report]], now: datetime) -> OrgHistory | None:
    """The organisation `key` in each mission's report; None when no mission knows it."""
    parts: list[MissionPart] = []
    name = ""
    for mission_id, report in sorted(reports, key=lambda r: (r[1].start, r[0])):
        mine = tuple(m for m in report.meetings if any(org_key(o) == key for o in m.organisations))
        if not mine:
            continue
        name = name or next(o for m in mine for o in m.organisations if org_key(o) == key)
        parts.append(
            MissionPart(
                mission_id=mission_id,
                mission=report.mission,
                start=report.start,
                end=report.end,
                meetings=mine,
            )
        )
    if not parts:
        return None
    items = [i for p in parts for m in p.meetings for i in m.items if i.item.state == "open"]
    items.sort(key=lambda i: (i.item.due or date.max, i.item.id))
    return OrgHistory(
        key=key,
        name=name,
        missions=tuple(parts),
        open_items=tuple(items),
        next_step=_next_step(parts, items, now),
    )


def known(reports: Sequence[tuple[int, Report]]) -> list[tuple[str, str, int]]:
    """(key, name, number of missions) of every organisation any mission met or means to meet."""
    seen: dict[str, tuple[str, set[int]]] = {}
    for mission_id, report in reports:
        for m in report.meetings:
            for o in m.organisations:
                seen.setdefault(org_key(o), (o, set()))[1].add(mission_id)
    return sorted(((k, n, len(ms)) for k, (n, ms) in seen.items()), key=lambda t: t[1].casefold())


__all__ = ["MissionPart", "OrgHistory", "history", "known", "org_key"]
