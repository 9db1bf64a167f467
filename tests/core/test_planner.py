"""The itinerary planner: every plan is checked rule by rule by tests/core/plan_checker.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.planner import PlanProgress, greedy_plan, plan_mission
from scheduler.errors import NotFound
from tests.builders import counterpart, delegate, meeting, mission
from tests.core.plan_checker import violations

TUE = date(2027, 2, 16)  # Tokyo's Wednesday morning is Toronto's Tuesday evening
LIMIT = 5.0


def one_day(*meetings, **kw):  # type: ignore[no-untyped-def]
    """brown (Toronto 07-22) and jetro (Tokyo 09-18): they overlap 19:00-22:00 Toronto."""
    kw.setdefault("delegates", [delegate("brown")])
    kw.setdefault("counterparts", [counterpart("jetro")])
    return mission(start=TUE, end=TUE, meetings=meetings, **kw)


def starts(plan):  # type: ignore[no-untyped-def]
    return {pm.meeting_id: pm.start for pm in plan.meetings}


def toronto(instant: datetime) -> str:
    return instant.astimezone(ZoneInfo("America/Toronto")).strftime("%m-%d %H:%M")


def test_a_small_mission_keeps_every_hard_rule_and_is_proved_optimal():
    m = mission(
        delegates=[delegate("brown", max_per_day=2), delegate("santos")],
        counterparts=[
            counterpart("jetro", holidays="JP"),
            counterpart("consulate", timezone="America/Toronto"),
        ],
        resources={"interpreter": 1, "bridge": 2},
        meetings=[
            meeting("briefing", ["brown", "santos"], ["consulate"], priority=10),
            meeting("jetro-1", ["brown"], ["jetro"], resources=["interpreter", "bridge"], after=["briefing"]),
            meeting("jetro-2", ["santos"], ["jetro"], resources=["interpreter", "bridge"], priority=3),
            meeting("jetro-3", ["brown"], ["jetro"], duration="45m", resources=["bridge"], priority=2),
        ],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    assert plan.status == "optimal"
    assert sorted(starts(plan)) == ["briefing", "jetro-1", "jetro-2", "jetro-3"]


def test_the_plan_honours_the_shorter_overlap_after_the_march_dst_change():
    # Before 14 March Toronto 19:00 is Tokyo 09:00 (3 h of overlap); after it, 20:00 (2 h).
    people = {"delegates": [delegate("brown")], "counterparts": [counterpart("jetro")]}
    after_dst = date(2027, 3, 15)
    m = mission(
        start=date(2027, 3, 8),
        end=date(2027, 3, 19),
        meetings=[
            meeting("late-long", ["brown"], ["jetro"], duration="2h30m", not_before=after_dst),
            meeting("late-short", ["brown"], ["jetro"], duration="2h", not_before=after_dst),
            meeting("early-long", ["brown"], ["jetro"], duration="2h30m", not_after=date(2027, 3, 12)),
        ],
        **people,
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    got = starts(plan)
    assert toronto(got["late-short"]).endswith("20:00")  # Tokyo 09:00 is Toronto 20:00 in EDT
    assert toronto(got["early-long"])[6:] in {"19:00", "19:15", "19:30"}  # 2 h 30 fits in EST's 3 h
    (late_long,) = plan.unscheduled
    assert late_long.meeting_id == "late-long"
    assert "no hours overlapping" in " ".join(late_long.reasons)


def test_a_precedence_chain_is_placed_in_order_even_when_the_last_link_matters_most():
    m = one_day(
        meeting("a", ["brown"], ["jetro"], duration="30m", priority=1),
        meeting("b", ["brown"], ["jetro"], duration="30m", priority=2, after=["a"]),
        meeting("c", ["brown"], ["jetro"], duration="30m", priority=9, after=["b"]),
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    got = starts(plan)
    assert got["a"] < got["b"] < got["c"]


def test_a_meeting_after_one_that_cannot_be_scheduled_is_left_out_with_that_reason():
    m = one_day(
        meeting("a", ["brown"], ["jetro"], duration="4h"),  # longer than the 3 h overlap
        meeting("b", ["brown"], ["jetro"], after=["a"], priority=5),
    )
    plan = plan_mission(m, time_limit=LIMIT)
    reasons = {u.meeting_id: u.reasons for u in plan.unscheduled}
    assert reasons["b"] == ("after a, which cannot be scheduled",)
    assert plan.meetings == ()


def test_one_interpreter_is_never_in_two_meetings_and_the_overflow_says_so():
    # Four pairs of different people all need the one interpreter in the same 3-hour evening.
    ds = [delegate(f"d{i}") for i in range(4)]
    cs = [counterpart(f"c{i}") for i in range(4)]
    ms = [
        meeting(f"m{i}", [f"d{i}"], [f"c{i}"], duration="60m", priority=4 - i, resources=["interpreter"])
        for i in range(4)
    ]
    m = one_day(*ms, delegates=ds, counterparts=cs, resources={"interpreter": 1})
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    assert sorted(starts(plan)) == ["m0", "m1", "m2"]  # three back-to-back hours; no buffer for resources
    (left,) = plan.unscheduled
    assert left.meeting_id == "m3"
    assert "the interpreter" in left.reasons[-1]


def test_an_over_full_evening_leaves_out_the_lowest_priority_meetings():
    # 3 h of overlap, 60-minute meetings, 15-minute buffer: only two fit.
    m = one_day(*[meeting(f"p{p}", ["brown"], ["jetro"], priority=p) for p in (3, 5, 1, 4, 2)])
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    assert sorted(starts(plan)) == ["p4", "p5"]
    assert [u.meeting_id for u in plan.unscheduled] == ["p3", "p1", "p2"]
    for u in plan.unscheduled:
        assert u.reasons[0] == "needs brown and jetro"
        assert "higher-priority" in u.reasons[1]


def test_the_planner_beats_greedy_when_the_best_slot_of_one_blocks_two():
    # Greedy puts the 90-minute meeting in the middle of the evening, where it is most
    # comfortable, and nothing else fits; the planner moves it to make room for another.
    m = one_day(
        meeting("big", ["brown"], ["jetro"], duration="90m", priority=5),
        meeting("b", ["brown"], ["jetro"], priority=4),
        meeting("c", ["brown"], ["jetro"], priority=4),
    )
    greedy = greedy_plan(m)
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, greedy) == []
    assert violations(m, plan) == []
    assert (greedy.objective["priority"], plan.objective["priority"]) == (5, 9)


def test_fixed_meetings_stay_where_they_are_and_others_keep_clear_of_them():
    seven_pm = datetime(2027, 2, 17, 0, 0, tzinfo=UTC)  # Tue 19:00 Toronto
    nine_pm = datetime(2027, 2, 17, 2, 0, tzinfo=UTC)  # Tue 21:00 Toronto
    m = one_day(
        meeting("booked", ["brown"], ["jetro"], fixed_start=seven_pm),
        meeting("confirmed", ["brown"], ["jetro"]),
        meeting("free", ["brown"], ["jetro"], duration="30m", priority=9),
    )
    plan = plan_mission(m, fixed={"confirmed": nine_pm}, time_limit=LIMIT)
    assert violations(m, plan, fixed={"confirmed": nine_pm}) == []
    got = starts(plan)
    assert (got["booked"], got["confirmed"]) == (seven_pm, nine_pm)
    assert seven_pm + timedelta(minutes=75) <= got["free"] <= nine_pm - timedelta(minutes=45)
    assert {pm.meeting_id for pm in plan.meetings if pm.fixed} == {"booked", "confirmed"}


def test_a_fixed_meeting_that_breaks_a_rule_is_kept_and_reported():
    noon = datetime(2027, 2, 16, 17, 0, tzinfo=UTC)  # 12:00 Toronto, 02:00 in Tokyo
    m = one_day(meeting("odd", ["brown"], ["jetro"], fixed_start=noon))
    plan = plan_mission(m, time_limit=LIMIT)
    assert starts(plan) == {"odd": noon}
    assert plan.status == "infeasible"
    assert plan.warnings == (
        "odd is fixed at 2027-02-16T17:00:00Z, when jetro is not free (hours, holiday, busy or buffer)",
    )


def test_people_whose_hours_never_meet_are_named():
    m = one_day(
        meeting("m", ["brown"], ["jetro"]),
        delegates=[delegate("brown", hours={"mon-fri": "09:00-12:00"})],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    (u,) = plan.unscheduled
    assert u.reasons[0].startswith("brown has no hours overlapping jetro's on any day in the window")


def test_a_meeting_crowded_out_names_the_meetings_that_take_its_times():
    m = one_day(
        meeting("top", ["brown"], ["jetro"], duration="2h", priority=9),
        meeting("low", ["brown"], ["jetro"], duration="60m", priority=1),
    )
    plan = plan_mission(m, time_limit=LIMIT)
    (u,) = plan.unscheduled
    assert u.meeting_id == "low"
    assert u.reasons[1].endswith("are taken by 1 higher-priority meeting: top (brown, jetro)")


def test_max_per_day_counts_each_persons_own_local_date():
    # Three short meetings fit in brown's evening, but brown may have only two a day.
    m = mission(
        start=TUE,
        end=date(2027, 2, 17),
        delegates=[delegate("brown", max_per_day=2)],
        counterparts=[counterpart("jetro")],
        meetings=[meeting(f"m{i}", ["brown"], ["jetro"], duration="30m") for i in range(3)],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    days = {pm.start.astimezone(ZoneInfo("America/Toronto")).date() for pm in plan.meetings}
    assert (len(plan.meetings), len(days)) == (3, 2)


def test_the_same_input_gives_the_same_plan():
    ds = [delegate("brown", max_per_day=2), delegate("santos")]
    cs = [counterpart("jetro"), counterpart("mitsui")]
    ms = [
        meeting(f"m{i}", [ds[i % 2].id], [cs[i % 3 % 2].id], duration="45m", priority=1 + i % 3)
        for i in range(8)
    ]
    m = mission(delegates=ds, counterparts=cs, meetings=ms, end=date(2027, 2, 19))
    first, second = plan_mission(m, time_limit=LIMIT), plan_mission(m, time_limit=LIMIT)
    assert first.meetings == second.meetings
    assert first.unscheduled == second.unscheduled


def test_progress_is_reported_while_solving():
    seen: list[PlanProgress] = []
    m = one_day(*[meeting(f"p{p}", ["brown"], ["jetro"], priority=p) for p in (1, 2, 3)])
    plan_mission(m, time_limit=LIMIT, on_progress=seen.append)
    assert seen
    assert seen[-1].solutions == len(seen)


def crowded_mission():  # type: ignore[no-untyped-def]
    """Ten meetings of three delegates over two days, with one interpreter: not all fit."""
    ds = [delegate(f"d{i}", max_per_day=2) for i in range(3)]
    cs = [counterpart(f"c{i}") for i in range(3)]
    ms = [
        meeting(
            f"m{i}",
            [ds[i % 3].id, ds[(i + 1) % 3].id],
            [cs[i % 3].id],
            duration=("30m", "60m", "90m")[i % 3],
            priority=1 + (7 * i) % 5,
            resources=["interpreter"] if i % 2 else [],
        )
        for i in range(10)
    ]
    return mission(
        delegates=ds, counterparts=cs, meetings=ms, end=date(2027, 2, 17), resources={"interpreter": 1}
    )


@pytest.mark.parametrize("seed", [False, True], ids=["unseeded", "seeded"])
def test_the_planner_is_never_worse_than_greedy(seed):
    m = crowded_mission()
    greedy = greedy_plan(m)
    plan = plan_mission(m, time_limit=2.0, seed_with_greedy=seed)
    assert violations(m, plan) == []
    key = ("priority", "comfort")
    assert [plan.objective[k] for k in key] >= [greedy.objective[k] for k in key]


def test_fixing_an_unknown_meeting_is_an_error_naming_it():
    m = one_day(meeting("m", ["brown"], ["jetro"]))
    with pytest.raises(NotFound, match="'ghost'"):
        plan_mission(m, fixed={"ghost": datetime(2027, 2, 17, tzinfo=UTC)})


def test_replanning_by_days_improves_a_greedy_plan_and_keeps_it_valid():
    from scheduler.core.planner_greedy import greedy_assign
    from scheduler.core.planner_instance import build_instance
    from scheduler.core.planner_lns import improve_by_days
    from scheduler.core.planner_model import Options, build

    m = one_day(
        meeting("big", ["brown"], ["jetro"], duration="90m", priority=5),
        meeting("b", ["brown"], ["jetro"], priority=4),
        meeting("c", ["brown"], ["jetro"], priority=4),
    )
    inst = build_instance(m)
    built = build(inst, Options())
    greedy = greedy_assign(inst)

    def key(assign):  # type: ignore[no-untyped-def]
        return sum(m.meeting(mid).priority for mid in assign), sum(
            inst.values[mid][k] for mid, k in assign.items()
        )

    better = improve_by_days(
        inst,
        built,
        built.weight * built.priority + built.comfort,
        greedy,
        key,
        budget=1.0,
        seconds_left=lambda: 5.0,
        opts=Options(),
    )
    assert (key(greedy)[0], key(better)[0]) == (5, 9)


def test_a_tokyo_holiday_removes_the_toronto_evening_before_it():
    # The Emperor's Birthday is Tuesday 23 February in Tokyo: Monday evening in Toronto.
    monday = date(2027, 2, 22)
    m = mission(
        start=monday,
        end=monday,
        delegates=[delegate("brown", holidays="CA-ON")],
        counterparts=[counterpart("jetro", holidays="JP")],
        meetings=[meeting("m", ["brown"], ["jetro"])],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    (u,) = plan.unscheduled
    assert u.reasons == (
        "the hours of brown and jetro overlap only on someone's public holidays "
        "for 1h between 2027-02-22 and 2027-02-22",
    )


def test_the_checker_catches_what_the_planner_must_not_do():
    m = one_day(
        meeting("a", ["brown"], ["jetro"], resources=["interpreter"]),
        meeting("b", ["brown"], ["jetro"], resources=["interpreter"]),
        resources={"interpreter": 1},
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    a, b = plan.meetings
    clash = replace(b, start=a.start + timedelta(minutes=30), end=a.end + timedelta(minutes=30))
    broken = violations(m, replace(plan, meetings=(a, clash)))
    assert broken == [
        "a and b share ['brown', 'jetro'] within the buffer",
        f"interpreter used by 2 meetings at {clash.start} (capacity 1)",
    ]


def test_an_optional_attendee_binds_nothing():
    # Both meetings need the whole 3-hour evening; brown is required in one, optional in the
    # other, so both can only be planned if the optional seat blocks nothing (and brown's
    # max_per_day of 1 counts only the meeting brown is required in).
    m = one_day(
        meeting("main", ["brown"], ["jetro"], duration="3h"),
        meeting("side", ["santos"], ["mitsui"], duration="3h", optional=["brown"]),
        delegates=[delegate("brown", max_per_day=1), delegate("santos")],
        counterparts=[counterpart("jetro"), counterpart("mitsui")],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    got = starts(plan)
    assert got["main"] == got["side"] == datetime(2027, 2, 17, 0, 0, tzinfo=UTC)  # Tue 19:00 Toronto


def test_equally_comfortable_meetings_are_spread_over_days_then_placed_early():
    # Two Toronto meetings of brown's, each fully comfortable anywhere in 09:00-17:00 on either
    # day: comfort cannot tell the plans apart, so spreading puts them on two days and the
    # last level puts each at the start of the preferred hours.
    nine = {"mon-fri": "09:00-17:00"}
    local = {"timezone": "America/Toronto", "preferred": nine}
    m = mission(
        start=TUE,
        end=date(2027, 2, 17),
        delegates=[delegate("brown", preferred=nine)],
        counterparts=[counterpart("consulate", **local), counterpart("jetro", **local)],
        meetings=[
            meeting("a", ["brown"], ["consulate"], duration="30m"),
            meeting("b", ["brown"], ["jetro"], duration="30m"),
        ],
    )
    plan = plan_mission(m, time_limit=LIMIT)
    assert violations(m, plan) == []
    assert plan.status == "optimal"
    assert sorted(toronto(s) for s in starts(plan).values()) == ["02-16 09:00", "02-17 09:00"]
    assert plan.objective["same_day_extra"] == 0


def test_a_plan_cut_short_by_the_time_limit_is_labelled_with_its_gap_to_a_bound():
    # 10 ms leaves no time for any solve: the greedy plan stands, not proven, gap reported.
    m = crowded_mission()
    greedy = greedy_plan(m)
    plan = plan_mission(m, time_limit=0.01)
    assert violations(m, plan) == []
    o = plan.objective
    assert (plan.status, o["proven_optimal"]) == ("feasible", False)
    assert isinstance(o["gap"], float)
    assert 0.0 <= o["gap"] < 1.0
    assert o["bound_priority"] >= o["priority"] >= greedy.objective["priority"]
