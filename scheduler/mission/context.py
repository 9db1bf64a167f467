"""What the section readers share while one mission file is read.

The sections check each other: a meeting names people and resources, an override must fall in
the mission's dates, a calendar is read over the mission window. So they read into one
`SectionReader`: one list of problems, and the ids, dates and window seen so far. Each section
is a subclass in its own module (`head`, `people`, `meetings`, `calendars`), and
`reader.MissionReader` joins them in file order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.core.intervals import Interval
from scheduler.core.models import Contact
from scheduler.mission.contract import EMAIL, HINTS, LANGUAGE, MOVED
from scheduler.mission.fields import FieldReader, Keys


class SectionReader(FieldReader):
    """The state every section reader records into and reads from; every method records and goes on."""

    def __init__(self, base_dir: Path, load_calendars: bool) -> None:
        super().__init__(HINTS, MOVED)
        self.base_dir = base_dir
        self.load_calendars = load_calendars
        self.strict_calendars = False
        self.window: Interval | None = None  # the mission's, once its head is valid
        self.dates: tuple[date, date] | None = None
        self.given_dates: tuple[date, date] | None = None  # even when the zone is wrong
        self.resources: dict[str, int] = {}
        self.people: dict[str, tuple[str, str]] = {}  # participant id → (kind, path)
        self.meeting_paths: dict[str, str] = {}
        # Tables too broken to say which ids or names they hold; references to what they might
        # hold are then not reported, so one mistake does not echo through every meeting.
        self.unreadable: set[str] = set()

    def listed(self, top: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
        """The items of `[[key]]`, noting when the list or an item's id cannot be read."""
        value = top.get(key, [])
        items = self.items(value, key, f"[[{key}]]")
        if not isinstance(value, list) or any(
            not isinstance(item, Mapping) or not isinstance(item.get("id"), str) for _, item in items
        ):
            self.unreadable.add("meetings" if key == "meetings" else "participants")
        return items

    def contact(self, path: str, value: object, keys: Keys, language: str) -> Contact | None:
        t = self.table(value, path, keys)
        if t is None:
            return None
        name = self.text(t, "name", path, blank=False)
        email = self.matching(t, "email", path, EMAIL, "an email address")
        lang = self.matching(t, "language", path, LANGUAGE, "a language code like 'en' or 'ja'", language)
        title = self.text(t, "title", path, default="")
        if name and email and lang is not None and title is not None:
            return Contact(name=name, email=email, language=lang, title=title)
        return None

    def mission_span(self) -> str:
        """The mission's dates for a message: `2027-02-15 to 2027-02-26`."""
        assert self.dates is not None
        return f"{self.dates[0]} to {self.dates[1]}"
