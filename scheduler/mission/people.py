"""The `[[delegates]]` and `[[counterparts]]` tables: people, their hours, contacts and overrides."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scheduler.core.hours import parse_ranges
from scheduler.core.zones import validate_zone
from scheduler.mission.context import SectionReader
from scheduler.mission.contract import CONTACT, COUNTERPART, DELEGATE, EMAIL, ID, LANGUAGE
from scheduler.mission.fields import ONE_DAY, check_region, join, kind_of


class PeopleReader(SectionReader):
    """Reads each delegate and counterpart; records its id so meetings can refer to it."""

    def participant(self, path: str, value: object, kind: str) -> dict[str, Any]:
        t = self.table(value, path, DELEGATE if kind == "delegate" else COUNTERPART, moved=True)
        if t is None:
            return {"path": path}
        pid = self.matching(t, "id", path, ID, 'an id (letters, digits, "-", "_" and ".")')
        raw = t.get("id")
        if isinstance(raw, str) and raw:  # even a malformed id: meetings that name it are not wrong too
            if raw in self.people:
                self.error(join(path, "id"), f"{raw!r} is already the id of {self.people[raw][1]}")
            else:
                self.people[raw] = (kind, path)
        language = self.matching(t, "language", path, LANGUAGE, "a language code like 'en' or 'ja'", "en")
        fields: dict[str, Any] = {
            "path": path,
            "id": pid,
            "name": self.text(t, "name", path, blank=False),
            "kind": kind,
            "timezone": self.checked(t, "timezone", path, validate_zone),
            "language": language,
            "holidays": self.checked(t, "holidays", path, check_region),
            "hours": self.weekly(t, "hours", path),
            "preferred": self.weekly(t, "preferred", path),
            "overrides": self.overrides(t, path),
            "busy_sources": self.strings(t, "busy", path, "calendar files or URLs"),
            "max_per_day": self.whole(t, "max_per_day", path, least=1),
        }
        if kind == "delegate":
            fields["email"] = self.matching(t, "email", path, EMAIL, "an email address")
            fields["role"] = self.text(t, "role", path)
        elif "contacts" in t:
            where = join(path, "contacts")
            items = self.items(t["contacts"], where, "[{ name = ..., email = ..., language = ... }]")
            if isinstance(t["contacts"], list) and not items:
                self.error(where, "an organisation needs at least one contact to receive the invitations")
            fields["contacts"] = tuple(self.contact(p, c, CONTACT, language or "en") for p, c in items)
        return fields

    def overrides(self, t: Mapping[str, Any], path: str) -> dict[date, tuple[tuple[int, int], ...]] | None:
        """`{ 2027-02-17 = "off", 2027-02-18 = "19:00-23:00" }`: the holder's local dates."""
        spec, path = t.get("overrides", {}), join(path, "overrides")
        if not isinstance(spec, Mapping):
            self.error(path, f'expected a table like {{ 2027-02-17 = "off" }}, got {kind_of(spec)}')
            return None
        out: dict[date, tuple[tuple[int, int], ...]] = {}
        for key, value in spec.items():
            where = join(path, key.isoformat() if isinstance(key, date) else key)
            day = self.day(key, where)
            try:
                ranges = parse_ranges(value)
            except ValueError as exc:
                self.error(where, str(exc))
                continue
            if day is None:
                continue
            if day in out:
                self.error(where, f"{day} is given twice")
            # A holder's local date can be a day either side of the home zone's dates.
            if self.dates and not self.dates[0] - ONE_DAY <= day <= self.dates[1] + ONE_DAY:
                self.error(
                    where, f"{day} is outside the mission ({self.mission_span()}), so it would change nothing"
                )
            out[day] = ranges
        return out
