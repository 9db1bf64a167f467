"""The coordinator's marker for busy sources that failed their last read (issue 14)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from scheduler.core.models import Mission
from scheduler.ical.secrets import redact
from scheduler.services.busy_refresh import busy_sources
from scheduler.services.context import Services


@dataclass(frozen=True)
class StaleSource:
    participant_id: str
    name: str
    source: str  # redacted: a page never shows a password
    error: str
    since: datetime


def stale_sources(
    services: Services, mission: Mission, mission_id: int, people: Collection[str]
) -> list[StaleSource]:
    """The failing sources of `people`, with the error of the last read and since when."""
    names = {p.id: p.name for p in mission.participants}
    return [
        StaleSource(
            s.participant_id,
            names.get(s.participant_id, s.participant_id),
            redact(s.source),
            s.error,
            s.failing_since,
        )
        for s in busy_sources(services, mission_id)
        if s.stale and s.failing_since is not None and s.participant_id in people
    ]
