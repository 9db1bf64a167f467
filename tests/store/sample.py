"""A small Toronto–Tokyo mission for storage and service tests.

The common time of Toronto 07:00–22:00 and Tokyo 09:00–18:00 is Toronto 19:00–22:00 EST,
Tokyo 09:00–12:00 the next morning: 00:00–03:00 UTC. `evening(day, hour)` gives such instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.core.models import Mission
from tests.builders import counterpart, delegate, meeting, mission

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant on February `day`, 2027, in UTC."""
    return datetime(2027, 2, day, hour, minute, tzinfo=UTC)


def sample_mission(**overrides: object) -> Mission:
    people: dict[str, object] = {
        "delegates": [
            delegate("brown", max_per_day=2),
            delegate("santos"),
            delegate("mccallion"),
        ],
        "counterparts": [counterpart("jetro"), counterpart("jcci"), counterpart("consulate")],
        "meetings": [
            meeting("brown-jetro", ["brown"], ["jetro"]),
            meeting("brown-jcci", ["brown"], ["jcci"]),
            meeting("brown-consulate", ["brown"], ["consulate"]),
            meeting("santos-jetro", ["santos"], ["jetro"]),
            meeting("santos-jcci", ["santos"], ["jcci"], resources=["interpreter", "bridge"]),
            meeting("mccallion-jetro", ["mccallion"], ["jetro"], resources=["bridge"]),
            meeting("mccallion-consulate", ["mccallion"], ["consulate"], resources=["interpreter", "bridge"]),
            meeting("brown-jcci-2", ["brown"], ["jcci"], resources=["bridge"], after=["brown-jcci"]),
        ],
        "resources": {"interpreter": 1, "bridge": 2},
    }
    people.update(overrides)
    return mission(**people)  # type: ignore[arg-type]


HOUR = timedelta(hours=1)
