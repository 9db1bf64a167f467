"""Property: options chosen jointly survive any order of bookings by different counterparts.

On small generated missions a brute force says whether a compatible set (every meeting its
minimum, no two options competing) exists; where it does, `choose_options` must find one, and
then booking the options in any order (hypothesis) leaves every other meeting all of its
options bookable. The same on the sample mission, with random booking orders.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.core.bookings import booking_problems, rule_problems
from scheduler.core.models import Mission
from scheduler.core.options import OptionRequest, choose_options, competing_options
from scheduler.core.slots import find_slots
from scheduler.mission.reader import load_mission
from tests.builders import counterpart, delegate, meeting, mission

ROOT = Path(__file__).resolve().parents[2]
NEED = 2


def requests_for(m: Mission, limit: int | None = None) -> list[OptionRequest]:
    out = []
    for mt in m.meetings:
        slots = [s for s in find_slots(m, mt.id, explain=False).slots if not rule_problems(m, mt.id, s.start)]
        out.append(OptionRequest(meeting_id=mt.id, candidates=tuple(slots[:limit]), need=NEED, want=3))
    return out


def compatible_set_exists(m: Mission, requests: list[OptionRequest]) -> bool:
    """Brute force over every pair of candidates per meeting."""
    pairs = [list(itertools.combinations([s.start for s in r.candidates], NEED)) for r in requests]
    for choice in itertools.product(*pairs):
        offered = {r.meeting_id: list(c) for r, c in zip(requests, choice, strict=True)}
        if not competing_options(m, offered):
            return True
    return False


def with_booking(m: Mission, meeting_id: str, start: datetime) -> Mission:
    return replace(
        m, meetings=tuple(replace(x, fixed_start=start) if x.id == meeting_id else x for x in m.meetings)
    )


def replay(m: Mission, offered: dict[str, list[datetime]], order: list[tuple[str, int]]) -> None:
    """Book `order` (meeting, which option) one after another; every other option stays bookable."""
    booked = m
    left = dict(offered)
    for mid, which in order:
        if mid not in left:
            continue
        start = left.pop(mid)[which % len(offered[mid])]
        assert booking_problems(booked, mid, start) == []
        booked = with_booking(booked, mid, start)
        for other, starts in left.items():
            for s in starts:
                assert booking_problems(booked, other, s) == [], (mid, start, other, s)
            assert len(starts) >= NEED


def small_mission(shared: list[int], durations: list[int], window_days: int) -> Mission:
    """Three meetings over a few days; `shared[i]` says which of two delegates meeting i needs."""
    delegates = [
        delegate("d0", hours={"mon-fri": "18:00-21:00"}),
        delegate("d1", hours={"mon-fri": "18:00-21:00"}),
    ]
    meetings = [
        meeting(f"m{i}", [f"d{shared[i]}"], [f"c{i}"], duration=f"{durations[i]}m")
        for i in range(len(shared))
    ]
    return mission(
        delegates=delegates,
        counterparts=[counterpart(f"c{i}", hours={"mon-sat": "07:00-12:00"}) for i in range(len(shared))],
        meetings=meetings,
        start=date(2027, 2, 15),
        end=date(2027, 2, 14 + window_days),
        step="30m",
        buffer="0m",
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shared=st.lists(st.integers(0, 1), min_size=3, max_size=3),
    durations=st.lists(st.sampled_from([30, 60, 90]), min_size=3, max_size=3),
    window_days=st.integers(1, 2),
    order=st.permutations([0, 1, 2]),
    which=st.lists(st.integers(0, 5), min_size=3, max_size=3),
)
def test_where_a_compatible_set_exists_every_booking_order_keeps_the_others_options(
    shared: list[int], durations: list[int], window_days: int, order: list[int], which: list[int]
) -> None:
    m = small_mission(shared, durations, window_days)
    requests = requests_for(m, limit=6)
    if not all(len(r.candidates) >= NEED for r in requests) or not compatible_set_exists(m, requests):
        return  # nothing to promise: the mission's time does not allow it
    choice = choose_options(m, requests, time_limit=2)
    assert choice.short == {}
    assert choice.competing == ()
    offered = {mid: [s.start for s in slots] for mid, slots in choice.chosen.items()}
    replay(m, offered, [(f"m{i}", w) for i, w in zip(order, which, strict=True)])


SAMPLE = load_mission(ROOT / "config.toml")
SAMPLE_CHOICE = choose_options(
    SAMPLE, [r for r in requests_for(SAMPLE) if SAMPLE.meeting(r.meeting_id).counterparts], time_limit=4
)


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(sorted(SAMPLE_CHOICE.chosen)),
    which=st.lists(st.integers(0, 4), min_size=11, max_size=11),
)
def test_the_sample_missions_options_survive_any_booking_order(order: list[str], which: list[int]) -> None:
    offered = {mid: [s.start for s in slots] for mid, slots in SAMPLE_CHOICE.chosen.items()}
    replay(SAMPLE, offered, list(zip(order, which, strict=False)))
