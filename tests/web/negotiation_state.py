"""States of a negotiation that the pages must show truthfully, built with the real use cases.

The sample mission is planned and some meetings proposed; then a counterpart books one of
its options, which withdraws the options of other proposals it makes impossible (even the
plan's own option of another meeting) or lands on the planned slot of a meeting not yet
proposed. Which option does that is found from the rules (`core.bookings.clashes`), not
hard-coded, so the states survive a change of the planner or the sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from scheduler.core.bookings import ProposalOption, clashes
from scheduler.core.slots import find_slots
from scheduler.services import Services, book, book_time, plan, propose
from scheduler.services.proposals import ProposalCreated

PLAN_SECONDS = 3.0


@dataclass(frozen=True)
class Taken:
    """`victim`'s time (its plan option, or its planned slot) was taken by booking `booked_by`."""

    victim: str
    booked_by: str
    booked_title: str
    lost: datetime  # the start of the time that went


def plan_and_propose(
    services: Services, mission_id: int, meetings: Iterable[str]
) -> dict[str, ProposalCreated]:
    plan(services, mission_id, time_limit=PLAN_SECONDS)
    return {mid: propose(services, mission_id, mid) for mid in meetings}


def _token(created: ProposalCreated) -> str:
    return created.link.rsplit("/", 1)[1]


def _book_first(
    services: Services, mission_id: int, created: dict[str, ProposalCreated], target: dict[str, datetime]
) -> Taken:
    """Book, through its link, the first alternative of a proposal that clashes with a target time."""
    with services.uow() as uow:
        mission = uow.mission(mission_id)
        now_open = {o.id for p in uow.proposals(mission_id, status="open") for o in p.open_options}
    for by, c in created.items():
        alternatives: list[ProposalOption] = [
            o for o in c.proposal.options if o.kind == "alternative" and o.id in now_open
        ]
        for o in alternatives:
            for victim, start in target.items():
                if victim != by and clashes(mission, by, o.start, victim, start):
                    book(services, _token(c), o.id)
                    return Taken(victim, by, mission.meeting(by).title, start)
    # Options are chosen not to compete, so none may clash: the coordinator books one directly
    # at a time that does (book_time checks the rules, not other meetings' plans or options).
    for by in created:
        for slot in find_slots(mission, by, explain=False).slots:
            for victim, start in target.items():
                if victim != by and clashes(mission, by, slot.start, victim, start):
                    book_time(services, mission_id, by, slot.start)
                    return Taken(victim, by, mission.meeting(by).title, start)
    raise AssertionError(f"nothing of {sorted(created)} can be booked to clash with {target}")


def overlap_two_proposals(services: Services, mission_id: int, created: dict[str, ProposalCreated]) -> str:
    """Give one proposal an extra option at the time of another's, so the two overlap on the week.

    Options compete like this when the mission's time allows no compatible set (the chooser then
    says so); here it is made directly, for the pages to show. The meeting given the option.
    """
    with services.uow() as uow:
        live = [p for p in uow.proposals(mission_id, status="open") if p.meeting_id in created]
        first, second = live[0], live[1]
        o = first.open_options[0]
        uow.add_options(second.id, [(o.start, o.start + (o.end - o.start), "alternative")])
    return second.meeting_id


def withdraw_a_plan_option(services: Services, mission_id: int, created: dict[str, ProposalCreated]) -> Taken:
    """Book an option that withdraws another proposal's plan option (its planned start stays)."""
    plans = {mid: next(o.start for o in c.proposal.options if o.kind == "plan") for mid, c in created.items()}
    return _book_first(services, mission_id, created, plans)


def book_over_a_plan(
    services: Services, mission_id: int, created: dict[str, ProposalCreated], planned: Iterable[str]
) -> Taken:
    """Book an option on the planned slot of a meeting that is planned but not proposed."""
    with services.uow() as uow:
        statuses = uow.meeting_statuses(mission_id)
    slots = {mid: statuses[mid].planned_start for mid in planned}
    return _book_first(services, mission_id, created, {m: s for m, s in slots.items() if s is not None})


__all__ = ["Taken", "book_over_a_plan", "overlap_two_proposals", "plan_and_propose", "withdraw_a_plan_option"]
