from __future__ import annotations

import pytest

from scheduler.ports import FixedClock
from scheduler.services import Services
from scheduler.store import Store
from tests.services.fakes import FakeMessages
from tests.store.fixtures import _drop_test_schemas, db_url, store
from tests.store.sample import NOW

__all__ = ["_drop_test_schemas", "clock", "db_url", "services", "store"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def services(store: Store, clock: FixedClock) -> Services:
    return Services(uow=store.unit_of_work, clock=clock, messages=FakeMessages())
