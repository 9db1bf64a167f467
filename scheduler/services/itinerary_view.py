"""The itinerary view's read model: the mission as a week calendar in one zone.

Every meeting that has a time appears once per local date it touches in the viewed zone:
booked (a booking), planned (the current plan's slot, not yet proposed) or a hold (an open
option of an open proposal: the counterpart may still pick it). Two items *conflict* when they
could not both be held (`core.bookings.clashes`: a shared person closer than the buffer, a
single resource used twice, or `after` broken); holds of one meeting are alternatives to each
other and never conflict among themselves, nor do two holds (options may overlap by design).

A proposed meeting's holds on one day are drawn as *one* block ("3 options"), not one per
option: options of several meetings overlap by design, and a lane per option left blocks too
narrow to read. The block marks where each option lies, and the plan's own option (the slot
the plan chose, while it is still open) distinctly. The hours shown are those where the
items are, in the viewed zone: a Toronto evening is not hidden below a fixed 08:00-18:00.

    view = itinerary_view(mission, statuses, proposals, zone_name="Asia/Tokyo", delegate="brown")
    [[d.day for d in week.days] for week in view.weeks]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from scheduler.core.bookings import MeetingStatus, Proposal, clashes
from scheduler.core.models import Meeting, Mission
from scheduler.core.zones import dates_touched, day_span, to_local, wall_to_utc

DEFAULT_HOURS = (8, 18)  # an empty calendar
MIN_HOURS = 4  # a day of one short meeting still shows some of its morning or evening


@dataclass(frozen=True, kw_only=True)
class Item:
    """One meeting at one time: kind "booked", "planned" or "hold"."""

    key: str  # unique in the view: meeting id and start
    meeting: Meeting
    kind: str
    start: datetime
    end: datetime
    option_id: int | None = None
    conflicts: tuple[str, ...] = ()  # titles of the items it clashes with
    is_plan: bool = False  # a hold that is the plan's own option


@dataclass(frozen=True, kw_only=True)
class Segment:
    """The part of an item on one local date, as minutes on the day's scale (see `day_minute`).

    On an ordinary day that is the wall-clock minute after local midnight; on a clock-change
    day the scale is still real time, so a segment is as tall as the meeting really lasts.
    """

    item: Item
    top: int
    bottom: int
    continues_before: bool
    continues_after: bool
    lane: int = 0  # side by side with the segments it overlaps: lane `lane` of `lanes`
    lanes: int = 1
    # A block of holds: every option of the meeting on this day, each as (top, bottom, item).
    options: tuple[tuple[int, int, Item], ...] = ()

    @property
    def conflicts(self) -> tuple[str, ...]:
        if not self.options:
            return self.item.conflicts
        return tuple(dict.fromkeys(t for _, _, i in self.options for t in i.conflicts))

    @property
    def plan(self) -> tuple[int, int, Item] | None:
        """The plan's own option in a block of holds, where it lies."""
        return next((o for o in self.options if o[2].is_plan), None)


@dataclass(frozen=True, kw_only=True)
class ClockChange:
    """A change of the viewed zone's UTC offset during a day, where it sits on the day's scale."""

    minute: int  # `day_minute` of the first instant with the new offset
    before: str  # abbreviations: "EST"
    after: str  # "EDT"
    wall_before: str  # the wall clock just before the change, as it would read: "02:00"
    wall_after: str  # and just after it: "03:00"


@dataclass(frozen=True, kw_only=True)
class DayColumn:
    day: date
    in_mission: bool
    segments: tuple[Segment, ...]
    starts_at: int = 0  # `day_minute` of the local midnight that opens the day (60 on 14 March)
    ends_at: int = 24 * 60  # and of the midnight that closes it
    changes: tuple[ClockChange, ...] = ()

    @property
    def lanes(self) -> int:
        """The most blocks side by side anywhere in the day (the page widens the day to fit them)."""
        return max((s.lanes for s in self.segments), default=1)


@dataclass(frozen=True, kw_only=True)
class Week:
    days: tuple[DayColumn, ...]


@dataclass(frozen=True, kw_only=True)
class ItineraryView:
    zone: str
    delegate: str | None
    first_hour: int
    last_hour: int  # exclusive
    weeks: tuple[Week, ...]
    items: tuple[Item, ...]

    @property
    def conflicts(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.conflicts)


def items_of(
    mission: Mission, statuses: Mapping[str, MeetingStatus], proposals: Sequence[Proposal]
) -> list[Item]:
    """Every timed item of the mission, by start; conflicts filled in."""
    open_options: dict[str, list[tuple[int, datetime, datetime, bool]]] = {}
    for p in proposals:
        if p.status == "open":
            open_options.setdefault(p.meeting_id, []).extend(
                (o.id, o.start, o.end, o.kind == "plan") for o in p.open_options
            )
    items: list[Item] = []
    for m in mission.meetings:
        st = statuses.get(m.id)
        if st is None:
            continue
        if st.booking is not None and st.state == "booked":
            items.append(_item(m, "booked", st.booking.start, st.booking.end))
        elif st.state == "proposed":
            # Only what can still be booked: a proposed meeting's planned start may be an option
            # another booking withdrew, and drawing it would put it on top of that booking.
            items += [_item(m, "hold", s, e, oid, plan) for oid, s, e, plan in open_options.get(m.id, [])]
        elif st.planned_start is not None and st.state == "planned":
            items.append(_item(m, "planned", st.planned_start, st.planned_start + m.duration))
    items.sort(key=lambda i: (i.start, i.meeting.id))
    return _with_conflicts(mission, items)


def _item(
    m: Meeting, kind: str, start: datetime, end: datetime, option_id: int | None = None, is_plan: bool = False
) -> Item:
    return Item(
        key=f"{m.id}@{start.isoformat()}",
        meeting=m,
        kind=kind,
        start=start,
        end=end,
        option_id=option_id,
        is_plan=is_plan,
    )


def _with_conflicts(mission: Mission, items: list[Item]) -> list[Item]:
    found: dict[str, list[str]] = {i.key: [] for i in items}
    for n, a in enumerate(items):
        for b in items[n + 1 :]:
            if a.meeting.id == b.meeting.id or not _may_conflict(a.kind, b.kind):
                continue
            if b.start > a.end + mission.buffer and not (set(a.meeting.after) | set(b.meeting.after)):
                continue  # sorted by start: too far apart to share a person or a resource
            if clashes(mission, a.meeting.id, a.start, b.meeting.id, b.start):
                found[a.key].append(b.meeting.title)
                found[b.key].append(a.meeting.title)
    return [Item(**{**i.__dict__, "conflicts": tuple(found[i.key])}) for i in items]


def _may_conflict(a: str, b: str) -> bool:
    # A hold beside a plan is not a conflict: the plan is redone around what gets booked. A
    # booking against anything is, and so are two plans (the planner should never do that).
    kinds = {a, b}
    return "booked" in kinds or kinds == {"planned"}


def _blocks(segments: list[Segment]) -> list[Segment]:
    """One day's segments with each meeting's holds joined into one block (see the module docstring)."""
    out = [s for s in segments if s.item.kind != "hold"]
    holds: dict[str, list[Segment]] = {}
    for s in segments:
        if s.item.kind == "hold":
            holds.setdefault(s.item.meeting.id, []).append(s)
    for group in holds.values():
        group.sort(key=lambda s: (s.top, s.item.key))
        out.append(
            Segment(
                item=group[0].item,
                top=min(s.top for s in group),
                bottom=max(s.bottom for s in group),
                continues_before=any(s.continues_before for s in group),
                continues_after=any(s.continues_after for s in group),
                options=tuple((s.top, s.bottom, s.item) for s in group),
            )
        )
    return out


def _lanes(segments: list[Segment]) -> list[Segment]:
    """Overlapping segments of one day side by side: each gets a lane and its cluster's lane count."""
    ordered = sorted(segments, key=lambda s: (s.top, -s.bottom, s.item.key))
    out: list[Segment] = []
    cluster: list[tuple[Segment, int]] = []
    ends: list[int] = []  # per lane: the bottom of its last segment
    cluster_end = -1

    def flush() -> None:
        out.extend(replace(seg, lane=lane, lanes=len(ends)) for seg, lane in cluster)

    for seg in ordered:
        if cluster and seg.top >= cluster_end:
            flush()
            cluster, ends = [], []
        lane = next((i for i, end in enumerate(ends) if end <= seg.top), len(ends))
        if lane == len(ends):
            ends.append(seg.bottom)
        else:
            ends[lane] = seg.bottom
        cluster.append((seg, lane))
        cluster_end = max(cluster_end, seg.bottom) if len(cluster) > 1 else seg.bottom
    if cluster:
        flush()
    return out


def itinerary_view(
    mission: Mission,
    statuses: Mapping[str, MeetingStatus],
    proposals: Sequence[Proposal],
    *,
    zone_name: str,
    delegate: str | None = None,
) -> ItineraryView:
    """The week calendar of the mission in `zone_name`, only `delegate`'s meetings when given.

    A delegate "has" a meeting when they are among its delegates or optional people.
    """
    items = items_of(mission, statuses, proposals)
    if delegate:
        items = [i for i in items if delegate in i.meeting.delegates or delegate in i.meeting.optional]
    window = mission.window
    mission_days = set(dates_touched(window.start, window.end, zone_name))
    segments: dict[date, list[Segment]] = {}
    for item in items:
        for day in dates_touched(item.start, item.end, zone_name):
            lo, hi = day_span(day, zone_name)
            s, e = max(item.start, lo), min(item.end, hi)
            segments.setdefault(day, []).append(
                Segment(
                    item=item,
                    top=day_minute(s, zone_name, day),
                    bottom=day_minute(e, zone_name, day),
                    continues_before=item.start < lo,
                    continues_after=item.end > hi,
                )
            )
    all_days = sorted(mission_days | set(segments))
    bounds = {d: _bounds(d, zone_name) for d in all_days}
    first_hour, last_hour = _hour_range([s for segs in segments.values() for s in segs])
    weeks: list[Week] = []
    if all_days:
        monday = all_days[0] - timedelta(days=all_days[0].weekday())
        while monday <= all_days[-1]:
            cols = []
            for k in range(7):
                day = monday + timedelta(days=k)
                starts, ends, changes = bounds.get(day) or _bounds(day, zone_name)
                cols.append(
                    DayColumn(
                        day=day,
                        in_mission=day in mission_days,
                        segments=tuple(_lanes(_blocks(segments.get(day, [])))),
                        starts_at=starts,
                        ends_at=ends,
                        changes=changes,
                    )
                )
            weeks.append(Week(days=tuple(cols)))
            monday += timedelta(days=7)
    return ItineraryView(
        zone=zone_name,
        delegate=delegate,
        first_hour=first_hour,
        last_hour=last_hour,
        weeks=tuple(weeks),
        items=tuple(items),
    )


def day_minute(instant: datetime, zone_name: str, day: date) -> int:
    """Where `instant` sits on the scale of `day`'s column: real minutes from local noon, plus 720.

    On an ordinary day that is the wall-clock minute after local midnight (and 1440 for the
    next midnight), so the shared hour gutter reads true. On a clock-change day the scale stays
    real time, aligned with the wall clock at noon: a one-hour call across Toronto's spring
    change (01:30 EST-03:30 EDT on 14 March 2027) is one hour tall, and the two 01:00s of
    7 November are two different hours. The day then opens at 60 (a 23-hour day) or at -60
    (a 25-hour day): changes happen at night, so the working hours stay beside the gutter.
    """
    noon = wall_to_utc(day, 12 * 60, zone_name)
    return 12 * 60 + round((instant - noon).total_seconds() / 60)


def _bounds(day: date, zone_name: str) -> tuple[int, int, tuple[ClockChange, ...]]:
    """The day's opening and closing minute on its scale, and its clock changes."""
    lo, hi = day_span(day, zone_name)
    changes = []
    t = lo
    previous = to_local(lo, zone_name)
    if previous.utcoffset() == to_local(hi - timedelta(minutes=1), zone_name).utcoffset():
        t = hi  # the usual day: one offset from midnight to midnight
    while t < hi:  # by quarter hours: every zone changes its clocks on one
        t = min(t + timedelta(minutes=15), hi)
        now = to_local(t, zone_name)
        if now.utcoffset() != previous.utcoffset() and t < hi:
            just_before = now - (now.utcoffset() or timedelta(0)) + (previous.utcoffset() or timedelta(0))
            changes.append(
                ClockChange(
                    minute=day_minute(t, zone_name, day),
                    before=previous.tzname() or "",
                    after=now.tzname() or "",
                    wall_before=f"{just_before:%H:%M}",
                    wall_after=f"{now:%H:%M}",
                )
            )
        previous = now
    return day_minute(lo, zone_name, day), day_minute(hi, zone_name, day), tuple(changes)


def _hour_range(segments: Sequence[Segment]) -> tuple[int, int]:
    """The hours that hold the items, from the hour of the earliest start to the latest end."""
    if not segments:
        return DEFAULT_HOURS
    first = min(s.top for s in segments) // 60  # -1 on a 25-hour day, before its first midnight
    last = min(24, -(-max(s.bottom for s in segments) // 60))
    if last - first < MIN_HOURS:
        last = min(24, first + MIN_HOURS)
        first = min(first, last - MIN_HOURS)
    return first, last


__all__ = [
    "ClockChange",
    "DayColumn",
    "Item",
    "ItineraryView",
    "Segment",
    "Week",
    "day_minute",
    "items_of",
    "itinerary_view",
]
