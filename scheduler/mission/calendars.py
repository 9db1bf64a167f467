"""Busy calendars named by people's `busy`, read over the mission window (± one day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from scheduler.core.intervals import EMPTY, Interval, IntervalSet
from scheduler.errors import ConfigError
from scheduler.mission.context import SectionReader
from scheduler.mission.fields import ONE_DAY


class CalendarReader(SectionReader):
    """Reads every busy calendar once the people are known; the problems land at `busy[i]`."""

    def read_calendars(self, participants: list[dict[str, Any]]) -> dict[str, IntervalSet]:
        """Busy time per participant path, read over the mission window ± one day."""
        busy: dict[str, IntervalSet] = {}
        wanted = [p for p in participants if p.get("busy_sources") and p.get("timezone")]
        if not (self.load_calendars and wanted):
            return busy
        # Imported here: only a file that names calendars needs the iCalendar stack.
        from scheduler.ical.busy import load_busy

        window = self.calendar_window()
        for p in wanted:
            total = EMPTY
            for i, source in enumerate(p["busy_sources"]):
                try:
                    total |= load_busy(
                        source,
                        base_dir=self.base_dir,
                        owner_zone=p["timezone"],
                        window=window,
                        strict=self.strict_calendars,
                    )
                except ConfigError as exc:  # CalendarError: names the file and line
                    for problem in exc.problems:
                        self.error(f"{p['path']}.busy[{i}]", str(problem))
            busy[p["path"]] = total
        return busy

    def calendar_window(self) -> Interval:
        """The mission window ± one day; when [mission] is broken, still a window to read in.

        The mission's problems are reported already and no model is built, but a missing or
        broken calendar must be listed with them (all errors at once), so the files are read
        over the dates in UTC widened by two days (any zone's dates lie inside), or, without
        usable dates, over one day: enough to find the file and parse it.
        """
        if self.window is not None:
            return Interval(self.window.start - ONE_DAY, self.window.end + ONE_DAY)
        first, last = self.given_dates or (date(2000, 1, 1), date(2000, 1, 1))
        return Interval(
            datetime.combine(first - 2 * ONE_DAY, time(0), tzinfo=UTC),
            datetime.combine(last + 3 * ONE_DAY, time(0), tzinfo=UTC),
        )
