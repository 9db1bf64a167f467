"""The `[mission]` and `[resources]` tables: name, zone, dates, grid, organizer, capacities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduler.core.intervals import Interval
from scheduler.core.zones import local_midnight, validate_zone
from scheduler.mission.context import SectionReader
from scheduler.mission.contract import ID, MISSION, ORGANIZER, URL
from scheduler.mission.fields import ONE_DAY, join, kind_of, parse_buffer, parse_step


class HeadReader(SectionReader):
    """Reads `[mission]` (its dates and zone set the window the other sections check) and `[resources]`."""

    def head(self, value: object) -> dict[str, Any] | None:
        t = self.table(value, "mission", MISSION)
        if t is None:
            return None
        path = "mission"
        zone = self.checked(t, "timezone", path, validate_zone)
        start = self.day(t["start"], "mission.start") if "start" in t else None
        end = self.day(t["end"], "mission.end") if "end" in t else None
        if start and end and end < start:
            self.error("mission.end", f"the mission ends ({end}) before it starts ({start})")
        elif start and end:
            self.given_dates = (start, end)
        if zone and start and end and start <= end:
            self.dates = (start, end)
            self.window = Interval(local_midnight(start, zone), local_midnight(end + ONE_DAY, zone))
        organizer = None
        if "organizer" in t:
            organizer = self.contact("mission.organizer", t["organizer"], ORGANIZER, "en")
        return {
            "name": self.text(t, "name", path, blank=False),
            "timezone": zone,
            "start": start,
            "end": end,
            "step": self.checked(t, "step", path, parse_step),
            "buffer": self.checked(t, "buffer", path, parse_buffer),
            "organizer": organizer,
            "video_url": self.matching(t, "video", path, URL, "an http(s) URL"),
        }

    def resource_table(self, value: object) -> dict[str, int]:
        if not isinstance(value, Mapping):
            self.error("resources", f"expected a table like {{ interpreter = 1 }}, got {kind_of(value)}")
            self.unreadable.add("resources")
            return {}
        out: dict[str, int] = {}
        for name in value:
            if not ID.match(str(name)):
                self.error(join("resources", name), f"{name!r} is not a name like 'interpreter'")
            capacity = value[name]
            out[str(name)] = capacity  # named, even when its capacity is wrong (only reported)
            if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
                self.error(
                    join("resources", name),
                    f"expected a whole number of at least 1 (how many meetings may use it at once), "
                    f"got {kind_of(capacity)}",
                )
        return out
