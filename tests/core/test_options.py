"""Compatible option sets on the sample mission: every meeting gets its minimum, nothing competes."""

from __future__ import annotations

from pathlib import Path

from scheduler.core.bookings import rule_problems
from scheduler.core.options import OptionRequest, choose_options, competing_options, greedy_options, thinned
from scheduler.core.slots import find_slots
from scheduler.mission.reader import load_mission

ROOT = Path(__file__).resolve().parents[2]


def test_the_sample_missions_options_all_stay_bookable_whatever_is_picked() -> None:
    mission = load_mission(ROOT / "config.toml")
    requests = []
    for m in mission.meetings:
        if not m.counterparts:
            continue
        slots = find_slots(mission, m.id, explain=False).slots
        allowed = tuple(s for s in slots if not rule_problems(mission, m.id, s.start))
        requests.append(OptionRequest(meeting_id=m.id, candidates=allowed, need=2, want=5))
    choice = choose_options(mission, requests, time_limit=4)
    offered = {mid: [s.start for s in slots] for mid, slots in choice.chosen.items()}
    assert choice.short == {}
    assert all(len(s) >= 2 for s in offered.values())
    assert choice.competing == ()
    assert competing_options(mission, offered) == ()
    # The one-pass greedy baseline leaves a meeting short: the joint choice is what keeps it.
    greedy = greedy_options(
        mission, requests, {}, {r.meeting_id: thinned(r.candidates, mission.timezone) for r in requests}
    )
    assert min(len(v) for v in greedy.values()) < 2
