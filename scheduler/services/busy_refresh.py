"""Refreshing people's busy sources: each source read again (conditionally), last good copies kept.

    report = refresh_busy(services, reader, mission_id)                  # the timed job
    refresh_busy(services, reader, mission_id, people={"brown"}, max_age=timedelta(minutes=15))
                                                                         # before a booking

Reads happen outside any transaction (they wait on the network); the results are then saved
in one. A source that fails keeps its last good copy and carries its error (shown on the
coordinator's pages, listed in the digest when it stays failing). A participant's busy time
is rewritten from the last good copies once every source of theirs has one; until then the
busy time read at import stands.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, cast

from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.sources import SourceState, failing_for, merged_busy
from scheduler.errors import CalendarError, ConfigError
from scheduler.ports import BusySource
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork

ONE_DAY = timedelta(days=1)
# A source still failing after this long goes into the coordinator's daily digest; shorter
# outages (a server restarting) are only shown on the pages.
DIGEST_AFTER = timedelta(hours=12)


class BusySourceRecords(Protocol):
    def states(self, mission_id: int) -> list[SourceState]: ...
    def save(self, mission_id: int, state: SourceState) -> None: ...
    def set_busy(self, mission_id: int, participant_id: str, busy: IntervalSet) -> None: ...


def records_of(uow: UnitOfWork) -> BusySourceRecords:
    return cast(BusySourceRecords, getattr(uow, "busy_sources"))  # noqa: B009 (a store-only extension)


def long_failing(uow: UnitOfWork, mission_id: int, now: datetime) -> list[SourceState]:
    """Sources failing for `DIGEST_AFTER` or more (none from a unit of work without sources)."""
    if getattr(uow, "busy_sources", None) is None:
        return []
    return failing_for(records_of(uow).states(mission_id), now, DIGEST_AFTER)


@dataclass(frozen=True, kw_only=True)
class RefreshReport:
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped_fresh: int = 0


def busy_sources(services: Services, mission_id: int) -> list[SourceState]:
    """Every source of the mission with its last read status (for the pages and the digest)."""
    with services.uow() as uow:
        return records_of(uow).states(mission_id)


def refresh_busy(
    services: Services,
    reader: BusySource,
    mission_id: int,
    *,
    people: Collection[str] | None = None,
    max_age: timedelta | None = None,
) -> RefreshReport:
    """Read the sources of `people` (everyone by default) again; skip those fresher than `max_age`."""
    with services.uow() as uow:
        mission = uow.mission(mission_id)
        origin = uow.mission_source(mission_id)
        states = records_of(uow).states(mission_id)
    now = services.clock.now()
    base_dir = str(Path(origin).parent) if origin and origin != "api" else "."
    window = Interval(mission.window.start - ONE_DAY, mission.window.end + ONE_DAY)
    zones = {p.id: p.timezone for p in mission.participants}
    counts = {"changed": 0, "unchanged": 0, "failed": 0, "skipped_fresh": 0}
    updated: list[SourceState] = []
    for state in states:
        if people is not None and state.participant_id not in people:
            continue
        if max_age is not None and not state.stale and state.fresh_at(now, max_age):
            counts["skipped_fresh"] += 1
            continue
        try:
            got = reader.read(
                state.source,
                base_dir=base_dir,
                owner_zone=zones[state.participant_id],
                window=window,
                etag=state.etag if state.busy is not None else None,
                last_modified=state.last_modified if state.busy is not None else None,
            )
        except ConfigError as exc:  # CalendarError and the like: the message names no secret
            text = "; ".join(p.message for p in exc.problems)
            if isinstance(exc, CalendarError) and exc.line is not None:
                text = f"line {exc.line}: {text}"  # the source itself is shown beside it
            updated.append(state.failed(now, text))
            counts["failed"] += 1
            continue
        counts["changed" if got.busy is not None else "unchanged"] += 1
        updated.append(state.succeeded(now, got.busy, got.etag, got.last_modified))
    if updated:
        with services.uow() as uow:
            # Concurrent bookings refresh the same sources: one writer at a time per mission.
            uow.lock_mission(mission_id)
            records = records_of(uow)
            for state in updated:
                records.save(mission_id, state)
            current = records.states(mission_id)
            for pid in {s.participant_id for s in updated}:
                merged = merged_busy(s for s in current if s.participant_id == pid)
                if merged is not None:
                    records.set_busy(mission_id, pid, merged)
    return RefreshReport(**counts)


def ensure_fresh_busy(services: Services, mission_id: int, meeting_id: str) -> None:
    """Before a booking: re-read the meeting's people's sources older than `busy_max_age`.

    Does nothing without a `busy_reader` (tests, tools). A source that fails now keeps its last
    good copy (and is marked stale): the booking is checked against the best busy time known.
    """
    if services.busy_reader is None:
        return
    with services.uow() as uow:
        mission = uow.mission(mission_id)
    try:
        people = set(mission.meeting(meeting_id).invited)
    except KeyError:
        return  # the booking itself says the meeting is unknown
    refresh_busy(
        services, services.busy_reader, mission_id, people=people, max_age=services.settings.busy_max_age
    )
