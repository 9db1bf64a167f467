"""The audit trail on both databases: written with the change, in its transaction, with who and when."""

from __future__ import annotations

from functools import partial

import pytest

from scheduler.ports import FixedClock
from scheduler.services import Services, import_mission
from scheduler.store import Store
from tests.store.sample import at, sample_mission


def test_a_change_is_recorded_with_its_actor_and_a_rolled_back_one_is_not(store: Store) -> None:
    services = Services(uow=partial(store.unit_of_work, actor="importer"), clock=FixedClock(at(1, 9)))
    mission_id = import_mission(services, sample_mission())
    with store.unit_of_work(actor="coordinator@example.org") as uow:
        uow.set_meeting_state(mission_id, "brown-jetro", "planned")

    def refused_change() -> None:
        with store.unit_of_work(actor="someone") as uow:
            uow.set_meeting_state(mission_id, "brown-jcci", "planned")
            uow.session.flush()  # the audit rows are written here, then rolled back with the change
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused_change()
    with store.unit_of_work(write=False) as uow:
        trail = uow.audit(mission_id)
        one = uow.audit(mission_id, "brown-jetro")
    assert [(e.actor, e.action, e.entity, e.key) for e in trail] == [
        ("importer", "created", "mission", "Test mission"),
        ("coordinator@example.org", "changed", "meeting", "brown-jetro"),
    ]
    assert trail[0].detail.startswith("2027-02-15 – ")
    assert one == trail[1:]
    assert trail[1].detail == "state: 'unplanned' → 'planned'"
