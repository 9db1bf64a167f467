"""The read models of the coordinator's pages: overlap bands, the week calendar, overview lines.

Issue 11 (at the end): they tell the truth about a negotiation. A proposed meeting is
headlined by what can still be booked, clashes with bookings are named, and the week calendar
draws one block per meeting and day, opening at the hour of the earliest item.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import pytest

from scheduler.core.bookings import Booking, MeetingStatus, Proposal, ProposalOption
from scheduler.services.itinerary_view import ClockChange, itinerary_view
from scheduler.services.overlap_view import BandCell, OverlapDay, default_choice, overlap_view
from scheduler.services.views import meeting_line, meeting_lines, shown_state, state_counts
from tests.e2e.coordinator_scenario import dst_mission
from tests.web.conftest import sample_mission

TORONTO, TOKYO = "America/Toronto", "Asia/Tokyo"


def _day(days: tuple[OverlapDay, ...], day: date) -> OverlapDay:
    return next(d for d in days if d.day == day)


def _beside(d: OverlapDay, hhmm: str) -> tuple[BandCell, BandCell]:
    """The Toronto cell at local `hhmm` of the day and the Tokyo cell of the same column."""
    bands = {b.zone: b for b in d.bands}
    i = next(i for i, c in enumerate(bands[TORONTO].cells) if c.local.strftime("%H:%M") == hhmm)
    return bands[TORONTO].cells[i], bands[TOKYO].cells[i]


def test_tokyo_tuesday_nine_sits_beside_toronto_monday_seven_pm() -> None:
    view = overlap_view(sample_mission(), ["brown", "embassy"])
    toronto, tokyo = _beside(_day(view.days, date(2027, 2, 15)), "19:00")
    assert (toronto.start, tokyo.local.strftime("%a %d %H:%M")) == (tokyo.start, "Tue 16 09:00")
    assert (toronto.holidays, tokyo.holidays) == (("Family Day (CA-ON)",), ())


def test_the_emperors_birthday_marks_tokyo_beside_mondays_toronto_evening() -> None:
    view = overlap_view(sample_mission(), ["brown", "embassy"])
    toronto, tokyo = _beside(_day(view.days, date(2027, 2, 22)), "19:00")
    assert (toronto.holidays, tokyo.holidays) == ((), ("Emperor's Birthday (JP)",))
    _morning_toronto, morning_tokyo = _beside(_day(view.days, date(2027, 2, 22)), "09:00")
    assert morning_tokyo.holidays == ()  # still Monday 22 in Tokyo: 23:00


@pytest.mark.parametrize(
    ("day", "toronto"),
    [(date(2027, 3, 12), "19:00"), (date(2027, 3, 15), "20:00")],
    ids=["before-dst-14h", "after-dst-13h"],
)
def test_tokyo_nine_moves_beside_toronto_eight_after_the_march_change(day: date, toronto: str) -> None:
    view = overlap_view(dst_mission(), ["chair", "tokyo-office"])
    _, tokyo = _beside(_day(view.days, day), toronto)
    assert tokyo.local.strftime("%H:%M") == "09:00"


def test_the_day_of_the_change_has_23_hours_and_marks_it() -> None:
    view = overlap_view(dst_mission(), ["chair"])
    d = _day(view.days, date(2027, 3, 14))
    toronto = next(b for b in d.bands if b.zone == TORONTO)
    assert len(toronto.cells) == 23
    assert toronto.offset_changes == ((toronto.cells[2].local, "EST", "EDT"),)
    assert [c.local.strftime("%H") for c in toronto.cells[:3]] == ["00", "01", "03"]


def test_common_cells_are_the_common_windows_of_the_chosen() -> None:
    view = overlap_view(dst_mission(), ["chair", "tokyo-office"])
    d = _day(view.days, date(2027, 3, 16))
    tokyo = next(b for b in d.bands if b.zone == TOKYO)
    # Tokyo's 09:00-12:00 meets Toronto's 07:00-22:00 only until Toronto's 22:00 EDT: Tokyo 11:00.
    assert [c.local.strftime("%H") for c in tokyo.cells if c.common == "full"] == ["09", "10"]
    assert [(w.start, w.end) for w in d.windows] == [
        (datetime(2027, 3, 17, 0, tzinfo=UTC), datetime(2027, 3, 17, 2, tzinfo=UTC))
    ]


def test_default_choice_is_the_first_meeting_across_zones() -> None:
    assert default_choice(sample_mission()) == ("brown", "santos", "sandhu", "embassy")


def _status(mid: str, state: str, start: datetime | None = None, *, booked: bool = False) -> MeetingStatus:
    booking = None
    if booked and start is not None:
        booking = Booking(
            id=1,
            mission_id=1,
            meeting_id=mid,
            start=start,
            end=start + timedelta(hours=1),
            sequence=0,
            status="active",
        )
    return MeetingStatus(meeting_id=mid, state=state, sequence=0, planned_start=start, booking=booking)  # type: ignore[arg-type]


def test_a_booked_meeting_that_has_ended_is_done() -> None:
    start = datetime(2027, 3, 16, 0, tzinfo=UTC)
    st = _status("spring-call", "booked", start, booked=True)
    assert [shown_state(st, start), shown_state(st, start + timedelta(hours=1))] == ["booked", "done"]


def test_overview_filters_by_state_delegate_and_counterpart() -> None:
    mission = sample_mission()
    start = datetime(2027, 2, 16, 15, tzinfo=UTC)
    statuses = {m.id: _status(m.id, "unplanned") for m in mission.meetings}
    statuses["jetro-briefing"] = _status("jetro-briefing", "booked", start, booked=True)
    now = datetime(2027, 1, 25, tzinfo=UTC)
    assert [x.meeting.id for x in meeting_lines(mission, statuses, [], now, state="booked")] == [
        "jetro-briefing"
    ]
    okafor = [x.meeting.id for x in meeting_lines(mission, statuses, [], now, delegate="okafor")]
    assert okafor == ["canon-call", "yusen-call", "muro-call"]
    jeita = [x.meeting.id for x in meeting_lines(mission, statuses, [], now, counterpart="jeita")]
    assert jeita == ["jeita-meeting", "jeita-follow-up"]
    assert state_counts(mission, statuses, now)["unplanned"] == len(mission.meetings) - 1
    line = meeting_lines(mission, statuses, [], now, state="booked")[0]
    assert (line.zones, line.actions) == ((TORONTO,), ("reschedule", "cancel", "action_items"))


def _proposal(mid: str, starts: list[datetime]) -> Proposal:
    options = tuple(
        ProposalOption(
            id=i, position=i, start=s, end=s + timedelta(hours=1), kind="alternative", status="open"
        )
        for i, s in enumerate(starts)
    )
    t = datetime(2027, 1, 25, tzinfo=UTC)
    return Proposal(
        id=1, mission_id=1, meeting_id=mid, status="open", created_at=t, expires_at=t, options=options
    )


def test_itinerary_marks_conflicts_not_holds_and_lays_overlaps_side_by_side() -> None:
    mission = sample_mission()
    t = datetime(2027, 2, 17, 0, tzinfo=UTC)  # Toronto Tue 16 Feb 19:00
    statuses = {m.id: _status(m.id, "unplanned") for m in mission.meetings}
    statuses["jeita-meeting"] = _status("jeita-meeting", "booked", t, booked=True)
    statuses["minato-meeting"] = _status(
        "minato-meeting", "planned", t + timedelta(minutes=30)
    )  # brown twice
    statuses["ambassador-call"] = _status("ambassador-call", "proposed", t)
    statuses["innovation-roundtable"] = _status("innovation-roundtable", "planned", t - timedelta(days=1))
    # Options of the Ambassador's call before the booked JEITA meeting (which must come after it).
    proposals = [_proposal("ambassador-call", [t - timedelta(hours=1), t - timedelta(days=1)])]
    view = itinerary_view(mission, statuses, proposals, zone_name=TORONTO)
    kinds = sorted((i.meeting.id, i.kind, bool(i.conflicts)) for i in view.items)
    assert kinds == [
        ("ambassador-call", "hold", False),  # beside the roundtable's plan, a hold is no conflict
        ("ambassador-call", "hold", False),
        ("innovation-roundtable", "planned", False),
        ("jeita-meeting", "booked", True),
        ("minato-meeting", "planned", True),  # brown twice at once
    ]
    tuesday = next(d for w in view.weeks for d in w.days if d.day == date(2027, 2, 16))
    lanes = sorted((s.item.meeting.id, s.lane, s.lanes) for s in tuesday.segments)
    assert lanes == [("ambassador-call", 0, 1), ("jeita-meeting", 0, 2), ("minato-meeting", 1, 2)]


def test_itinerary_in_tokyo_puts_the_evening_on_the_next_day() -> None:
    mission = sample_mission()
    t = datetime(2027, 2, 17, 0, tzinfo=UTC)
    statuses = {m.id: _status(m.id, "unplanned") for m in mission.meetings}
    statuses["jeita-meeting"] = _status("jeita-meeting", "booked", t, booked=True)
    home = itinerary_view(mission, statuses, [], zone_name=TORONTO)
    tokyo = itinerary_view(mission, statuses, [], zone_name=TOKYO, delegate="brown")
    where = [[(d.day, s.top) for w in v.weeks for d in w.days for s in d.segments] for v in (home, tokyo)]
    assert where == [[(date(2027, 2, 16), 19 * 60)], [(date(2027, 2, 17), 9 * 60)]]
    assert itinerary_view(mission, statuses, [], zone_name=TORONTO, delegate="okafor").items == ()


def _across(day: date, *starts: datetime) -> tuple[list[tuple[int, int, int]], tuple[ClockChange, ...]]:
    """The Toronto column of `day` with one booked call at each start: (top, bottom, lanes) each."""
    base = dst_mission()
    call = base.meetings[0]
    meetings = tuple(replace(call, id=f"call-{n}", title=f"Call {n}") for n in range(len(starts)))
    mission = replace(base, start=day - timedelta(days=2), end=day + timedelta(days=2), meetings=meetings)
    statuses = {m.id: _status(m.id, "booked", s, booked=True) for m, s in zip(meetings, starts, strict=True)}
    view = itinerary_view(mission, statuses, [], zone_name=TORONTO)
    col = next(d for w in view.weeks for d in w.days if d.day == day)
    segments = sorted((s.top, s.bottom, s.lanes) for s in col.segments)
    return segments, col.changes


@pytest.mark.parametrize(
    ("start", "where"),
    [
        # 01:30 EST to 03:30 EDT: one hour, drawn from 02:30 to 03:30 on the day's scale
        (datetime(2027, 3, 14, 6, 30, tzinfo=UTC), (150, 210)),
        # 01:30 EDT to the second 01:30 (EST): one hour, not nothing
        (datetime(2027, 11, 7, 5, 30, tzinfo=UTC), (30, 90)),
        # after the change the scale is the wall clock again: 10:00 EDT sits at 10:00
        (datetime(2027, 3, 14, 14, 0, tzinfo=UTC), (600, 660)),
    ],
    ids=["spring-forward", "fall-back", "after-the-change"],
)
def test_itinerary_draws_a_meeting_on_a_clock_change_day_as_long_as_it_lasts(
    start: datetime, where: tuple[int, int]
) -> None:
    segments, _changes = _across(start.date(), start)
    assert segments == [(*where, 1)]


def test_the_two_one_oclocks_of_november_are_two_hours_one_after_the_other() -> None:
    first, second = datetime(2027, 11, 7, 5, tzinfo=UTC), datetime(2027, 11, 7, 6, tzinfo=UTC)
    segments, changes = _across(date(2027, 11, 7), first, second)
    assert segments == [(0, 60, 1), (60, 120, 1)]  # not side by side: they do not overlap
    assert [(c.minute, c.before, c.after, c.wall_before, c.wall_after) for c in changes] == [
        (60, "EDT", "EST", "02:00", "01:00")
    ]


def test_the_clock_change_days_open_and_close_on_their_real_length() -> None:
    cols = {}
    for day in (date(2027, 3, 14), date(2027, 3, 15), date(2027, 11, 7)):
        mission = replace(dst_mission(), start=day, end=day)
        view = itinerary_view(mission, {}, [], zone_name=TORONTO)
        col = next(d for w in view.weeks for d in w.days if d.day == day)
        cols[day] = (col.starts_at, col.ends_at, len(col.changes))
    assert cols == {
        date(2027, 3, 14): (60, 1440, 1),  # 23 hours
        date(2027, 3, 15): (0, 1440, 0),
        date(2027, 11, 7): (-60, 1440, 1),  # 25 hours
    }


# --- issue 11: a negotiation told truthfully --------------------------------------------------
NOW = datetime(2027, 1, 25, tzinfo=UTC)
EVENING = datetime(2027, 2, 17, 0, tzinfo=UTC)  # Toronto Tue 16 Feb 19:00


def _statuses(**states: MeetingStatus) -> dict[str, MeetingStatus]:
    found = {m.id: _status(m.id, "unplanned") for m in sample_mission().meetings}
    return {**found, **{k.replace("_", "-"): v for k, v in states.items()}}


Option = tuple[datetime, Literal["plan", "alternative"], Literal["open", "withdrawn"]]


def _offered(mid: str, options: list[Option]) -> Proposal:
    return Proposal(
        id=1,
        mission_id=1,
        meeting_id=mid,
        status="open",
        created_at=NOW,
        expires_at=NOW + timedelta(days=14),
        options=tuple(
            ProposalOption(id=i, position=i, start=s, end=s + timedelta(minutes=45), kind=k, status=st)
            for i, (s, k, st) in enumerate(options)
        ),
    )


def _statuses(**states: MeetingStatus) -> dict[str, MeetingStatus]:
    found = {m.id: _status(m.id, "unplanned") for m in sample_mission().meetings}
    return {**found, **{k.replace("_", "-"): v for k, v in states.items()}}


def test_a_proposed_meeting_is_headlined_by_its_earliest_open_option_not_its_withdrawn_plan() -> None:
    mission = sample_mission()
    # JEITA (which must come after the Ambassador's call) was booked over the call's plan
    # option, which was withdrawn; the plan still says that time.
    booked = EVENING + timedelta(days=2)
    statuses = _statuses(
        jeita_meeting=_status("jeita-meeting", "booked", booked, booked=True),
        ambassador_call=_status("ambassador-call", "proposed", booked),
    )
    later = EVENING
    proposal = _offered(
        "ambassador-call",
        [
            (booked, "plan", "withdrawn"),
            (later + timedelta(hours=1), "alternative", "open"),
            (later, "alternative", "open"),
        ],
    )
    line = meeting_line(
        mission,
        mission.meeting("ambassador-call"),
        statuses["ambassador-call"],
        [proposal],
        NOW,
        statuses=statuses,
    )
    assert (line.start, [o.start for o in line.open_options], line.clashes) == (
        later,
        [later, later + timedelta(hours=1)],
        (),
    )
    expired = meeting_line(
        mission,
        mission.meeting("ambassador-call"),
        statuses["ambassador-call"],
        [proposal],
        NOW + timedelta(days=15),
    )
    assert (expired.start, expired.open_options) == (None, ())  # an expired link offers nothing


def test_a_planned_time_under_a_booking_names_the_booking() -> None:
    mission = sample_mission()
    statuses = _statuses(
        jeita_meeting=_status("jeita-meeting", "booked", EVENING, booked=True),
        minato_meeting=_status("minato-meeting", "planned", EVENING + timedelta(minutes=30)),
    )
    line = meeting_line(
        mission, mission.meeting("minato-meeting"), statuses["minato-meeting"], [], NOW, statuses=statuses
    )
    booked = meeting_line(
        mission, mission.meeting("jeita-meeting"), statuses["jeita-meeting"], [], NOW, statuses=statuses
    )
    assert (line.clashes, booked.clashes) == (("Meeting with JEITA",), ())


def test_the_week_draws_one_block_per_meeting_and_day_with_the_plan_option_marked() -> None:
    mission = sample_mission()
    statuses = _statuses(ambassador_call=_status("ambassador-call", "proposed", EVENING))
    proposal = _offered(
        "ambassador-call",
        [
            (EVENING + timedelta(minutes=30), "plan", "open"),
            (EVENING, "alternative", "open"),
            (EVENING + timedelta(minutes=15), "alternative", "open"),
            (EVENING + timedelta(days=2), "alternative", "open"),
            (EVENING + timedelta(hours=1), "alternative", "withdrawn"),
        ],
    )
    view = itinerary_view(mission, statuses, [proposal], zone_name=TORONTO)
    blocks = {
        d.day: [(s.top, s.bottom, len(s.options), s.lanes) for s in d.segments]
        for w in view.weeks
        for d in w.days
        if d.segments
    }
    assert blocks == {
        date(2027, 2, 16): [(19 * 60, 20 * 60 + 15, 3, 1)],  # 19:00-20:15, three options, one lane
        date(2027, 2, 18): [(19 * 60, 19 * 60 + 45, 1, 1)],
    }
    tuesday = next(d for w in view.weeks for d in w.days if d.day == date(2027, 2, 16))
    plan = tuesday.segments[0].plan
    assert plan is not None
    assert (plan[0], plan[1], plan[2].start) == (19 * 60 + 30, 20 * 60 + 15, EVENING + timedelta(minutes=30))
    assert (view.first_hour, view.last_hour) == (19, 23)  # the evening, not 08:00-18:00
