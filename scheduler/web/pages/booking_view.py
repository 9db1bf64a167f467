"""What the booking page shows, computed from a link's proposal: people, options, the grid.

Times are in the viewer's zone (the counterpart's by default, switchable) with the other
side's beside them; words and dates in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date

from scheduler.core.models import Mission
from scheduler.core.zones import to_local, validate_zone, wall_to_utc
from scheduler.mail.timefmt import city, local_moment, local_range
from scheduler.services.proposals import ProposalPage
from scheduler.web.pages.i18n import pick_language


@dataclass(frozen=True, kw_only=True)
class Viewer:
    lang: str
    tz: str
    other_tz: str
    counterpart_tz: str
    home_tz: str


def viewer(page: ProposalPage, lang: str | None, tz: str | None) -> Viewer:
    """The viewer's language and zone: asked for (`?lang=`, `?tz=`) or the counterpart's own."""
    mission, meeting = page.mission, page.meeting
    side = mission.participant(meeting.counterparts[0]) if meeting.counterparts else None
    contact_lang = link_language(page)
    own_tz = side.timezone if side else mission.timezone
    chosen = own_tz
    if tz and tz in zones_for(mission, own_tz):
        chosen = validate_zone(tz)
    other = mission.timezone if chosen != mission.timezone else own_tz
    if other == chosen:
        other = own_tz if chosen != own_tz else mission.timezone
    return Viewer(
        lang=pick_language(lang, contact_lang),
        tz=chosen,
        other_tz=other,
        counterpart_tz=own_tz,
        home_tz=mission.timezone,
    )


def link_language(page: ProposalPage) -> str:
    """The language of a link: its first counterpart's first contact's (the emails are in it too)."""
    meeting = page.meeting
    side = page.mission.participant(meeting.counterparts[0]) if meeting.counterparts else None
    if side is None:
        return "en"
    return pick_language(side.contacts[0].language if side.contacts else side.language)


def zones_for(mission: Mission, own_tz: str) -> list[str]:
    """The zones the page offers: the counterpart's, the mission's, every participant's, UTC."""
    found = [own_tz, mission.timezone, *(p.timezone for p in mission.participants), "UTC"]
    return list(dict.fromkeys(found))


def when(start: datetime, end: datetime, v: Viewer) -> dict[str, str]:
    other = local_moment(start, v.other_tz, v.lang)
    return {"own": local_range(start, end, v.tz, v.lang), "other": f"{city(v.other_tz, v.lang)}: {other}"}


def people(mission: Mission, page: ProposalPage) -> dict[str, list[dict[str, str]]]:
    ours = []
    for pid in page.meeting.delegates:
        p = mission.participant(pid)
        ours.append({"name": p.name, "role": p.role})
    theirs = []
    for pid in page.meeting.counterparts:
        p = mission.participant(pid)
        theirs += [{"name": c.name, "role": c.title, "org": p.name} for c in p.contacts]
    return {"ours": ours, "theirs": theirs}


def options(page: ProposalPage, v: Viewer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(open options, options no longer possible), each with its local times."""
    open_: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    for o in page.proposal.options:
        item = {"id": o.id, "kind": o.kind, **when(o.start, o.end, v)}
        (open_ if o.status == "open" else gone).append(item)
    return open_, gone


def grid(starts: Sequence[datetime], v: Viewer) -> dict[str, Any]:
    """The hour cells in the viewer's zone that hold a start the delegates could meet at, and only
    those days and hours; each cell's value is its UTC start, shown with the other side's time.

    A counterpart who says "none of these work" can then only offer times that could happen.
    """
    cells: dict[tuple[date, int], datetime] = {}
    for s in starts:
        local = to_local(s, v.tz)
        key = (local.date(), local.hour)
        if key not in cells:
            cells[key] = wall_to_utc(local.date(), local.hour * 60, v.tz)  # the one DST rule of core.zones
    days = sorted({d for d, _ in cells})
    hours = sorted({h for _, h in cells})
    day_format = "M/d EEE" if v.lang == "ja" else "EEE d MMM"
    rows = []
    for hour in hours:
        row: list[dict[str, Any]] = []
        for day in days:
            start = cells.get((day, hour))
            if start is None:
                row.append({"usable": False})
                continue
            other = to_local(start, v.other_tz)
            row.append(
                {
                    "usable": True,
                    "value": start.isoformat(),
                    "other": f"{format_date(other.date(), 'EEE', locale=v.lang)} {other:%H:%M}",
                }
            )
        rows.append({"hour": f"{hour:02d}:00", "cells": row})
    heads = [format_date(d, day_format, locale=v.lang) for d in days]
    return {"days": heads, "rows": rows, "other_city": city(v.other_tz, v.lang)}


def offered_cells(starts: Sequence[datetime], v: Viewer) -> set[str]:
    """The values `grid` offers: what a decline may send back."""
    return {c["value"] for row in grid(starts, v)["rows"] for c in row["cells"] if c["usable"]}


__all__ = [
    "Viewer",
    "city",
    "grid",
    "link_language",
    "offered_cells",
    "options",
    "people",
    "viewer",
    "when",
    "zones_for",
]
