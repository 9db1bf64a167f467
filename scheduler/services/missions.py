"""Use cases on a whole mission: import a mission file, export it back, plan it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from scheduler.core.bookings import claim_cell, claims_for
from scheduler.core.intervals import IntervalSet
from scheduler.core.models import Mission, Participant, Plan
from scheduler.core.planner import plan_mission
from scheduler.services.context import Services
from scheduler.services.webhook_events import mission_planned


def import_mission(
    services: Services, mission: Mission, *, source: str = "", owner: int | None = None
) -> int:
    """Store `mission` as a new mission and return its id. One transaction.

    `owner` (an account id) becomes the mission's owner in the same transaction; without one
    the mission has no members and no coordinator sees it until one is added
    (`scheduler member add`).

    A meeting with a `fixed` start in the file becomes an active booking (with its claims, so
    the database guards it like any booking); no message is queued for it. Raises `Conflict`
    when fixed meetings of the file collide with each other (same person closer than the
    buffer, a resource over capacity, `max_per_day` exceeded).
    """
    now = services.clock.now()
    cell = claim_cell(mission)
    bare = replace(mission, meetings=tuple(replace(m, fixed_start=None) for m in mission.meetings))
    with services.uow() as uow:
        mission_id = uow.add_mission(bare, source=source, now=now, cell=cell)
        if owner is not None:
            uow.set_member(mission_id, owner, "owner", now=now)
        for m in mission.meetings:
            if m.fixed_start is None:
                continue
            uow.add_booking(
                mission_id,
                m.id,
                start=m.fixed_start,
                end=m.fixed_start + m.duration,
                sequence=0,
                now=now,
                claims=claims_for(mission, m, m.fixed_start, cell),
            )
            uow.set_meeting_state(mission_id, m.id, "booked")
    return mission_id


def export_mission(services: Services, mission_id: int) -> Mission:
    """The stored mission as a `Mission` (booked meetings carry their start as `fixed_start`).

    `mission.writer.dump_mission` turns it into the mission file. Raises `NotFound`.
    """
    with services.uow() as uow:
        return uow.mission(mission_id)


def mission_source(services: Services, mission_id: int) -> str:
    """The path of the file the mission was imported from ("" when it was not). Raises `NotFound`."""
    with services.uow() as uow:
        return uow.mission_source(mission_id)


def mission_ids(services: Services) -> list[int]:
    """Ids of every stored mission, oldest first."""
    with services.uow() as uow:
        return uow.mission_ids()


def not_before(mission: Mission, earliest: datetime) -> Mission:
    """The mission as the planner should see it at `earliest` (now + the minimum notice).

    The planner never reads the clock, so the time before `earliest` is made busy for every
    participant: no meeting that is not fixed is planned in the past or inside the notice.
    Each person's fixed (booked) meetings, with the buffer around them, stay free, so a
    booking already held there is not reported as a clash.
    """
    window = mission.window
    if earliest <= window.start:
        return mission
    block = IntervalSet([(window.start - timedelta(days=1), earliest)])

    def blocked(p: Participant) -> Participant:
        held = IntervalSet(
            [
                (m.fixed_start - mission.buffer, m.fixed_start + m.duration + mission.buffer)
                for m in mission.meetings
                if m.fixed_start is not None and p.id in m.required
            ]
        )
        return replace(p, busy=p.busy.union(block.difference(held)))

    return replace(
        mission,
        delegates=tuple(blocked(p) for p in mission.delegates),
        counterparts=tuple(blocked(p) for p in mission.counterparts),
    )


def plan(services: Services, mission_id: int, *, time_limit: float = 10.0) -> Plan:
    """Run the planner with every booked meeting fixed, and remember each meeting's planned start.

    Nothing that is not booked is planned before now + `Settings.min_notice` (`not_before`).
    The solver runs outside any transaction (it may take `time_limit` seconds); the plan's
    starts are then stored in one short transaction as the meetings' `planned_start`, which
    `propose` offers first. Meetings not booked and not yet proposed move to state "planned".
    """
    earliest = services.clock.now() + services.settings.min_notice
    with services.uow() as uow:
        mission = uow.mission(mission_id)
    result = plan_mission(not_before(mission, earliest), time_limit=time_limit)
    planned = {pm.meeting_id: pm.start for pm in result.meetings if not pm.fixed}
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
        starts = {mid: planned.get(mid) for mid, st in statuses.items() if st.booking is None}
        uow.set_planned_starts(mission_id, starts)
        for mid, start in starts.items():
            if statuses[mid].state in ("unplanned", "planned"):
                uow.set_meeting_state(mission_id, mid, "planned" if start else "unplanned")
        mission_planned(uow, mission, mission_id, result, now=services.clock.now())
    return result
