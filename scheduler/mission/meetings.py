"""The `[[meetings]]` tables: who, how long, when allowed, and the `after` order across them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from scheduler.mission.context import SectionReader
from scheduler.mission.contract import FIXED, ID, MEETING, URL
from scheduler.mission.fields import cycles, did_you_mean, join, parse_instant, parse_meeting_duration


class MeetingReader(SectionReader):
    """Reads each meeting; its references are checked against the people and resources read before it."""

    def meeting(self, path: str, value: object) -> dict[str, Any]:
        t = self.table(value, path, MEETING)
        if t is None:
            return {"path": path}
        mid = self.matching(t, "id", path, ID, 'an id (letters, digits, "-", "_" and ".")')
        raw = t.get("id")
        if isinstance(raw, str) and raw:
            if raw in self.meeting_paths:
                self.error(join(path, "id"), f"{raw!r} is already the id of {self.meeting_paths[raw]}")
            else:
                self.meeting_paths[raw] = path
        delegates = self.refs(t, "delegates", path, "delegate")
        if delegates == () and "delegates" in t:
            self.error(join(path, "delegates"), "a meeting needs at least one delegate")
        # `optional` names delegates only: people who may join. An organisation is either a
        # required party (its contacts get invitations) or not invited; downstream, optional
        # attendees are people with an address, not organisations reached through contacts.
        optional = self.refs(t, "optional", path, "delegate")
        for i, pid in enumerate(optional or ()):
            if pid in (delegates or ()):
                self.error(f"{path}.optional[{i}]", f"{pid!r} is already a required delegate of this meeting")
        resources = self.strings(t, "resources", path, "resource names")
        for i, name in enumerate(resources or ()):
            if name not in self.resources and "resources" not in self.unreadable:
                known = did_you_mean(name, list(self.resources))
                self.error(
                    f"{path}.resources[{i}]", f"unknown resource {name!r}{known}; declare it in [resources]"
                )
        duration = self.checked(t, "duration", path, parse_meeting_duration)
        not_before = self.day(t["not_before"], join(path, "not_before")) if "not_before" in t else None
        not_after = self.day(t["not_after"], join(path, "not_after")) if "not_after" in t else None
        self.check_dates(path, not_before, not_after)
        fixed = None
        if "fixed" in t:
            fixed_table = self.table(t["fixed"], join(path, "fixed"), FIXED)
            if fixed_table is not None:
                fixed = self.checked(fixed_table, "start", join(path, "fixed"), parse_instant)
                self.check_fixed(join(path, "fixed.start"), fixed, duration)
        return {
            "path": path,
            "raw_id": raw,
            "id": mid,
            "title": self.text(t, "title", path, blank=False),
            "delegates": delegates,
            "counterparts": self.refs(t, "counterparts", path, "counterpart"),
            "optional": optional,
            "duration": duration,
            "priority": self.whole(t, "priority", path, least=1),
            "after": self.strings(t, "after", path, "meeting ids"),
            "resources": resources,
            "not_before": not_before,
            "not_after": not_after,
            "fixed_start": fixed,
            "purpose": self.text(t, "purpose", path),
            "agenda": self.strings(t, "agenda", path, "agenda items"),
            "notes": self.text(t, "notes", path),
            "video_url": self.matching(t, "video", path, URL, "an http(s) URL"),
        }

    def refs(self, t: Mapping[str, Any], key: str, path: str, kind: str) -> tuple[str, ...] | None:
        """Ids of participants of one kind; an id of the other kind says where it belongs."""
        ids = self.strings(t, key, path, f"{kind} ids")
        for i, pid in enumerate(ids or ()):
            where = f"{join(path, key)}[{i}]"
            known = self.people.get(pid)
            if known is None and "participants" in self.unreadable:
                continue
            if known is None:
                same_kind = [k for k, (kd, _) in self.people.items() if kd == kind]
                self.error(where, f"unknown {kind} {pid!r}{did_you_mean(pid, same_kind)}")
            elif known[0] != kind and key == "optional":
                self.error(
                    where,
                    f"{pid!r} is a counterpart ({known[1]}); `optional` names delegates only, people "
                    "who may join: an organisation takes part (list it under counterparts) or is not invited",
                )
            elif known[0] != kind:
                self.error(where, f"{pid!r} is a {known[0]} ({known[1]}): list it under {known[0]}s")
        return ids

    def check_dates(self, path: str, not_before: date | None, not_after: date | None) -> None:
        if not_before and not_after and not_after < not_before:
            self.error(join(path, "not_after"), f"{not_after} is before not_before ({not_before})")
        for key, day in (("not_before", not_before), ("not_after", not_after)):
            if day and self.dates and not self.dates[0] <= day <= self.dates[1]:
                self.error(join(path, key), f"{day} is outside the mission ({self.mission_span()})")

    def check_fixed(self, path: str, start: datetime | None, duration: timedelta | None) -> None:
        if start is None or duration is None or self.window is None:
            return
        if not (self.window.start <= start and start + duration <= self.window.end):
            self.error(path, f"{start.isoformat()} is outside the mission ({self.mission_span()})")

    def check_after(self, meetings: list[dict[str, Any]]) -> None:
        """Every `after` id names a meeting, and the order has no cycle."""
        graph: dict[str, tuple[str, ...]] = {}
        for m in meetings:
            known = []
            for i, other in enumerate(m.get("after") or ()):
                if other in self.meeting_paths:
                    known.append(other)
                elif "meetings" not in self.unreadable:
                    hint = did_you_mean(other, list(self.meeting_paths))
                    self.error(f"{m['path']}.after[{i}]", f"unknown meeting {other!r}{hint}")
            mid = m.get("raw_id")
            if mid and self.meeting_paths.get(mid) == m["path"]:
                graph[mid] = tuple(known)
        for loop in cycles(graph):
            self.error(
                f"{self.meeting_paths[loop[0]]}.after",
                f"cycle in `after`: {' → '.join(loop)} (each must come after the next, so none can be first)",
            )
