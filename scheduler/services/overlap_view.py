"""The overlap view's read model: hour bands side by side, one per zone, for each mission date.

Each home-zone date of the mission is cut into hour cells *in UTC* (from the home zone's local
midnight to the next), so the cells of every zone line up on the same instants: the Toronto
cell of Monday 15 February 19:00 sits above the Tokyo cell of Tuesday 16 February 09:00. On a
day the home zone changes its clocks the day has 23 or 25 cells, and in every zone a cell whose
UTC offset differs from the previous cell's is marked, so a DST change is visible where it
happens (Tokyo 09:00 moves from Toronto 19:00 to 20:00 after 14 March 2027).

Holidays and weekends are read on each zone's *own* local date of the cell: the Emperor's
Birthday (Tuesday 23 February in Japan) marks the Tokyo cells of Monday 22 February's Toronto
evening. The holiday regions of a zone are those of the mission's participants who live in it.

The common windows of the chosen people come from `core.overlap.common_windows`; a cell is
"full" when a window covers it, "part" when a window covers some of it.

    view = overlap_view(mission, ["brown", "embassy"])
    view.days[0].bands[1].cells[19].local   # Tokyo's Tue 16 Feb 09:00, beside Toronto's 19:00
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.core.availability import holidays_on
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.models import Mission, Participant
from scheduler.core.overlap import common_windows
from scheduler.core.zones import day_span, to_local

HOUR = timedelta(hours=1)


@dataclass(frozen=True, kw_only=True)
class BandCell:
    """One hour of one zone's band. `local` is the aware wall-clock start in the band's zone."""

    start: datetime  # UTC
    end: datetime  # UTC
    local: datetime
    local_end: datetime
    new_date: bool  # the first cell of the band or the first one after a local midnight
    weekend: bool
    holidays: tuple[str, ...]  # "Emperor's Birthday (JP)", on this zone's own date
    offset_change: tuple[str, str] | None  # (before, after) abbreviations when the offset changed here
    common: str  # "full", "part" or ""
    common_spans: tuple[tuple[datetime, datetime], ...]  # the covered parts, UTC


@dataclass(frozen=True, kw_only=True)
class Band:
    zone: str
    home: bool
    cells: tuple[BandCell, ...]

    @property
    def holidays(self) -> tuple[tuple[date, str], ...]:
        """(local date, holiday) of this band's day, each once, in order."""
        seen = dict.fromkeys((c.local.date(), name) for c in self.cells for name in c.holidays)
        return tuple(seen)

    @property
    def abbreviations(self) -> tuple[str, ...]:
        """The zone's abbreviations during the day, in order: ("EST", "EDT") on 14 March in Toronto."""
        return tuple(dict.fromkeys(c.local.tzname() or "" for c in self.cells))

    @property
    def offset_changes(self) -> tuple[tuple[datetime, str, str], ...]:
        """(local start of the first cell after the change, before, after) for each clock change."""
        return tuple((c.local, *c.offset_change) for c in self.cells if c.offset_change)


@dataclass(frozen=True, kw_only=True)
class OverlapDay:
    """One home-zone date: the bands and the day's common windows (UTC)."""

    day: date
    bands: tuple[Band, ...]
    windows: tuple[Interval, ...]

    @property
    def has_offset_change(self) -> bool:
        return any(c.offset_change for b in self.bands for c in b.cells)


@dataclass(frozen=True, kw_only=True)
class OverlapView:
    zones: tuple[str, ...]  # home zone first, then every participant's zone in order of appearance
    chosen: tuple[str, ...]  # participant ids whose common windows are highlighted
    days: tuple[OverlapDay, ...]


def mission_zones(mission: Mission) -> tuple[str, ...]:
    """The home zone, then every participant's zone, each once."""
    return tuple(dict.fromkeys([mission.timezone, *(p.timezone for p in mission.participants)]))


def zone_regions(mission: Mission) -> dict[str, tuple[str, ...]]:
    """Zone → the holiday regions of the participants who live in it ("Asia/Tokyo" → ("JP",))."""
    out: dict[str, list[str]] = {}
    for p in mission.participants:
        regions = out.setdefault(p.timezone, [])
        if p.holidays and p.holidays not in regions:
            regions.append(p.holidays)
    return {z: tuple(r) for z, r in out.items()}


def default_choice(mission: Mission) -> tuple[str, ...]:
    """Who is chosen when nobody is: the first meeting that spans zones, else the first meeting.

    A Toronto–Tokyo call is the question an organiser asks the overlap view first.
    """
    for m in mission.meetings:
        if len({mission.participant(pid).timezone for pid in m.required}) > 1:
            return m.required
    if mission.meetings:
        return mission.meetings[0].required
    return tuple(p.id for p in mission.participants)


def overlap_view(
    mission: Mission,
    chosen: Iterable[str],
    *,
    fixed: Mapping[str, datetime] | None = None,
) -> OverlapView:
    """Bands for every zone of the mission, the common windows of `chosen` highlighted.

    `chosen` ids that name nobody are dropped; an empty choice highlights nothing. `fixed` maps
    meeting ids to booked starts (they take the time of the people in them).
    """
    known = {p.id for p in mission.participants}
    ids = tuple(pid for pid in dict.fromkeys(chosen) if pid in known)
    zones = mission_zones(mission)
    regions = zone_regions(mission)
    windows_by_day: dict[date, tuple[Interval, ...]] = {}
    if ids:
        overlap = common_windows(mission, ids, fixed=fixed)
        windows_by_day = {d.day: d.windows for d in overlap.days}
    days = []
    for day in mission.dates():
        windows = windows_by_day.get(day, ())
        common = IntervalSet(windows)
        lo, hi = day_span(day, mission.timezone)
        slots = _hour_slots(lo, hi)
        bands = tuple(
            Band(zone=z, home=z == mission.timezone, cells=_cells(slots, z, regions.get(z, ()), common))
            for z in zones
        )
        days.append(OverlapDay(day=day, bands=bands, windows=windows))
    return OverlapView(zones=zones, chosen=ids, days=tuple(days))


def _hour_slots(lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    out = []
    t = lo
    while t < hi:
        out.append((t, min(t + HOUR, hi)))
        t += HOUR
    return out


def _cells(
    slots: Sequence[tuple[datetime, datetime]], zone_name: str, regions: Sequence[str], common: IntervalSet
) -> tuple[BandCell, ...]:
    dates = sorted({to_local(s, zone_name).date() for s, _ in slots})
    named: dict[date, list[str]] = {}
    for region in regions:
        for d, name in holidays_on(region, dates).items():
            named.setdefault(d, []).append(f"{name} ({region})")
    cells = []
    previous: datetime | None = None
    # The hour before the day: a change at the day's very first instant is still shown.
    before = to_local(slots[0][0] - HOUR, zone_name) if slots else None
    for start, end in slots:
        local = to_local(start, zone_name)
        change = None
        last = previous or before
        if last is not None and last.utcoffset() != local.utcoffset():
            change = (last.tzname() or "", local.tzname() or "")
        covered = tuple((iv.start, iv.end) for iv in common.overlapping(Interval(start, end)))
        covered = tuple((max(s, start), min(e, end)) for s, e in covered)
        total = sum((e - s for s, e in covered), timedelta(0))
        cells.append(
            BandCell(
                start=start,
                end=end,
                local=local,
                local_end=to_local(end, zone_name),
                new_date=previous is None or previous.date() != local.date(),
                weekend=local.weekday() >= 5,
                holidays=tuple(named.get(local.date(), ())),
                offset_change=change,
                common="full" if total >= end - start else ("part" if covered else ""),
                common_spans=covered,
            )
        )
        previous = local
    return tuple(cells)


def people_by_zone(mission: Mission) -> list[tuple[str, list[Participant]]]:
    """The participants grouped by zone (home zone first), for the page's checkboxes."""
    return [(z, [p for p in mission.participants if p.timezone == z]) for z in mission_zones(mission)]


__all__ = [
    "Band",
    "BandCell",
    "OverlapDay",
    "OverlapView",
    "default_choice",
    "mission_zones",
    "overlap_view",
    "people_by_zone",
    "zone_regions",
]
