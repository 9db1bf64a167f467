"""Fixtures of the mail tests."""

from __future__ import annotations

import pytest

from scheduler.core.models import Mission
from tests.mail import missions


@pytest.fixture
def trade_mission() -> Mission:
    return missions.trade_mission()
