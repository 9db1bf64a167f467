"""The core's value types: frozen, keyword-only, validated at construction.

These are what the mission file, the API and the database all turn into, and what the slot
finder and planner compute on. Instants are aware UTC datetimes; local wall-clock lives only
in `WeeklyHours` (minutes after local midnight) and in each holder's IANA zone name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from scheduler.core.intervals import EMPTY, Interval, IntervalSet, ensure_utc
from scheduler.core.zones import MINUTES_PER_DAY, local_midnight, validate_zone

MinuteRange = tuple[int, int]
"""A wall-clock range in minutes after local midnight, half-open: (420, 1320) is 07:00-22:00."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def normalise_ranges(ranges: tuple[MinuteRange, ...]) -> tuple[MinuteRange, ...]:
    """Sort, check, and join touching ranges (`12:00-13:00, 13:00-18:00` is one range)."""
    out: list[MinuteRange] = []
    for start, end in sorted(ranges):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"range {start}-{end} minutes is not inside one day or is empty")
        if out and start < out[-1][1]:
            raise ValueError("ranges overlap")
        if out and start == out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class WeeklyHours:
    """Wall-clock ranges for each weekday, Monday first. A day with no ranges has no hours."""

    days: tuple[tuple[MinuteRange, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("weekly hours need exactly seven days, Monday first")
        object.__setattr__(self, "days", tuple(normalise_ranges(tuple(d)) for d in self.days))

    def on(self, day: date) -> tuple[MinuteRange, ...]:
        return self.days[day.weekday()]

    @property
    def empty(self) -> bool:
        return not any(self.days)


NO_HOURS = WeeklyHours()


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A person who receives mail: a counterpart's contact, or the mission's organizer."""

    name: str
    email: str
    language: str = "en"
    title: str = ""  # job title, shown on the title line of Japanese letters


@dataclass(frozen=True, kw_only=True)
class Participant:
    """A delegate (a person) or a counterpart organisation: anyone whose time a meeting needs.

    `busy` is already expanded to UTC intervals (the adapters read the calendars);
    `busy_sources` keeps where it came from so the mission can be written back unchanged.
    """

    id: str
    name: str
    kind: Literal["delegate", "counterpart"]
    timezone: str
    language: str = "en"
    email: str = ""  # a delegate's address; counterparts are reached through `contacts`
    role: str = ""  # "Mayor", "Regional Councillor": shown in agendas
    holidays: str = ""  # region code for the `holidays` package: "CA-ON", "JP", "" for none
    hours: WeeklyHours = NO_HOURS
    preferred: WeeklyHours = NO_HOURS
    overrides: Mapping[date, tuple[MinuteRange, ...]] = field(default_factory=dict)
    busy: IntervalSet = EMPTY
    busy_sources: tuple[str, ...] = ()
    max_per_day: int | None = None
    contacts: tuple[Contact, ...] = ()

    def __post_init__(self) -> None:
        validate_zone(self.timezone)
        object.__setattr__(
            self,
            "overrides",
            {d: normalise_ranges(tuple(r)) for d, r in sorted(self.overrides.items())},
        )
        if self.max_per_day is not None and self.max_per_day < 1:
            raise ValueError("max_per_day must be at least 1")

    def hours_on(self, day: date) -> tuple[MinuteRange, ...]:
        """Hard hours on a local date, the override replacing the weekly hours when there is one.

        Holidays are not applied here: they are a separate, named reason (see availability).
        """
        if day in self.overrides:
            return self.overrides[day]
        return self.hours.on(day)


@dataclass(frozen=True, kw_only=True)
class Meeting:
    """One meeting wanted. Required participants are `delegates` + `counterparts`."""

    id: str
    title: str
    delegates: tuple[str, ...]
    counterparts: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    duration: timedelta
    priority: int = 1
    after: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_before: date | None = None  # home-zone dates, inclusive
    not_after: date | None = None
    fixed_start: datetime | None = None  # booked or confirmed: the planner keeps it here
    purpose: str = ""
    agenda: tuple[str, ...] = ()
    notes: str = ""
    video_url: str = ""

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError("duration must be positive")
        if self.fixed_start is not None:
            object.__setattr__(self, "fixed_start", ensure_utc(self.fixed_start, "fixed start"))

    @property
    def required(self) -> tuple[str, ...]:
        return self.delegates + self.counterparts

    @property
    def invited(self) -> tuple[str, ...]:
        return self.delegates + self.counterparts + self.optional


@dataclass(frozen=True, kw_only=True)
class Mission:
    """A whole mission: its window in the home zone, people, organisations, meetings, resources."""

    name: str
    timezone: str
    start: date
    end: date
    step: timedelta = timedelta(minutes=15)
    buffer: timedelta = timedelta(minutes=15)
    organizer: Contact
    resources: Mapping[str, int] = field(default_factory=dict)
    delegates: tuple[Participant, ...] = ()
    counterparts: tuple[Participant, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    video_url: str = ""  # default video link for meetings that name none

    def __post_init__(self) -> None:
        validate_zone(self.timezone)
        if self.end < self.start:
            raise ValueError("mission ends before it starts")
        if self.step <= timedelta(0) or self.buffer < timedelta(0):
            raise ValueError("step must be positive and buffer not negative")

    @property
    def participants(self) -> tuple[Participant, ...]:
        return self.delegates + self.counterparts

    def participant(self, pid: str) -> Participant:
        for p in self.participants:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def meeting(self, mid: str) -> Meeting:
        for m in self.meetings:
            if m.id == mid:
                return m
        raise KeyError(mid)

    @property
    def window(self) -> Interval:
        """`[start 00:00, end + 1 day 00:00)` in the home zone, as UTC."""
        return Interval(
            local_midnight(self.start, self.timezone),
            local_midnight(self.end + timedelta(days=1), self.timezone),
        )

    def dates(self) -> list[date]:
        """The mission's home-zone dates, first to last."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True, kw_only=True)
class Score:
    """Why a slot ranks where it does. Higher is better; `value` is the one number to compare.

    `comfort` per participant is 0..100: 100 inside their preferred hours, else how far the
    meeting sits from the edge of their hours range (pushed to the very edge: 0).
    """

    optional_free: int
    worst_comfort: int
    mean_comfort: int
    comfort: Mapping[str, int]
    value: int


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One candidate time for a meeting, with everyone's local time and why it ranks so."""

    meeting_id: str
    start: datetime
    end: datetime
    local: Mapping[str, datetime]  # participant id → aware local datetime of the start
    optional_free: tuple[str, ...]
    score: Score


@dataclass(frozen=True, kw_only=True)
class SlotSearch:
    """The slot finder's answer: ranked slots, and reasons when there are none (or few)."""

    meeting_id: str
    slots: tuple[Slot, ...]
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PlannedMeeting:
    meeting_id: str
    start: datetime
    end: datetime
    local: Mapping[str, datetime]
    resources: tuple[str, ...]
    score: Score
    fixed: bool = False


@dataclass(frozen=True, kw_only=True)
class Unscheduled:
    meeting_id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The planner's answer: an itinerary, what could not fit and why, and how good it is."""

    status: Literal["optimal", "feasible", "infeasible"]
    meetings: tuple[PlannedMeeting, ...]
    unscheduled: tuple[Unscheduled, ...]
    objective: Mapping[str, float | int | bool | str | None]
    warnings: tuple[str, ...] = ()  # rules broken by meetings fixed where they are (they stay)
