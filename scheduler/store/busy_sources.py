"""Busy sources in the database: each source's last good copy and read status, and the
participant's busy time rewritten from them (`uow.busy_sources`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.core.intervals import IntervalSet
from scheduler.core.sources import SourceState
from scheduler.store.tables import BusyRow, BusySourceRow, ParticipantRow


class SqlBusySources:
    def __init__(self, session: Session) -> None:
        self.session = session

    def states(self, mission_id: int) -> list[SourceState]:
        """Every source of every participant, in mission-file order; new sources start unread."""
        rows = {
            (r.participant_id, r.position): r
            for r in self.session.scalars(select(BusySourceRow).where(BusySourceRow.mission_id == mission_id))
        }
        people = self.session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.mission_id == mission_id)
            .order_by(ParticipantRow.position)
        )
        out = []
        for p in people:
            for i, source in enumerate(p.busy_sources):
                row = rows.get((p.pid, i))
                if row is None or row.source != source:  # a new or edited entry starts afresh
                    out.append(SourceState(participant_id=p.pid, position=i, source=source))
                else:
                    out.append(_state(row))
        return out

    def save(self, mission_id: int, state: SourceState) -> None:
        row = self.session.scalars(
            select(BusySourceRow).where(
                BusySourceRow.mission_id == mission_id,
                BusySourceRow.participant_id == state.participant_id,
                BusySourceRow.position == state.position,
            )
        ).first()
        if row is None:
            row = BusySourceRow(
                mission_id=mission_id, participant_id=state.participant_id, position=state.position
            )
            self.session.add(row)
        row.source = state.source
        row.busy = None if state.busy is None else [[s.isoformat(), e.isoformat()] for s, e in state.busy]
        row.etag, row.last_modified = state.etag, state.last_modified
        row.fetched_at, row.checked_at = state.fetched_at, state.checked_at
        row.error, row.failing_since = state.error, state.failing_since
        self.session.flush()

    def set_busy(self, mission_id: int, participant_id: str, busy: IntervalSet) -> None:
        """Replace the participant's busy time (what slots, plans and bookings check against)."""
        self.session.execute(
            delete(BusyRow).where(BusyRow.mission_id == mission_id, BusyRow.participant_id == participant_id)
        )
        self.session.add_all(
            BusyRow(mission_id=mission_id, participant_id=participant_id, start=s, end=e) for s, e in busy
        )
        self.session.flush()


def _state(row: BusySourceRow) -> SourceState:
    busy = None
    if row.busy is not None:
        busy = IntervalSet((datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in row.busy)
    return SourceState(
        participant_id=row.participant_id,
        position=row.position,
        source=row.source,
        busy=busy,
        etag=row.etag,
        last_modified=row.last_modified,
        fetched_at=row.fetched_at,
        checked_at=row.checked_at,
        error=row.error,
        failing_since=row.failing_since,
    )
