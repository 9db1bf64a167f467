"""Fixtures of the mail tests."""

from __future__ import annotations

import pytest

from scheduler.core.models import Mission
from tests.mail import missions
from tests.store.fixtures import db_url, store  # the database outbox runs on every backend

__all__ = ["db_url", "store", "trade_mission"]


@pytest.fixture
def trade_mission() -> Mission:
    return missions.trade_mission()
