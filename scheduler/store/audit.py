"""The audit trail, written as part of every flush: who changed which mission row, when, and how.

`record_changes(maker)` hooks a session factory: after each flush, the rows of the tracked
tables that were added, changed or removed become `audit_log` rows on the same connection,
so they commit or roll back with the change itself. Nothing in the services has to remember
to write them, and a use case added later is audited too.

Who: the unit of work's `session.info["actor"]` (the coordinator's email; "" for a booking
link or a timed job). When: `session.info["clock"]` (the services' clock), else the wall clock.
A mission created in one unit of work is one entry, not one per meeting and person. Secrets (token
hashes) are never written; long values are cut short.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.members import AuditRow, MemberRow
from scheduler.store.tables import BookingRow, MeetingRow, MissionRow, ParticipantRow, ProposalRow

_SECRET = frozenset({"token_hash"})
_LONG = 120


def _entity(row: object) -> tuple[str, int, str, str] | None:
    """(entity, mission id, meeting id, key) of a tracked row, else None."""
    match row:
        case MissionRow():
            return "mission", row.id, "", row.name
        case MeetingRow():
            return "meeting", row.mission_id, row.mid, row.mid
        case ParticipantRow():
            return "participant", row.mission_id, "", row.pid
        case BookingRow():
            return "booking", row.mission_id, row.meeting_id, str(row.id)
        case ProposalRow():
            return "proposal", row.mission_id, row.meeting_id, str(row.id)
        case MemberRow():
            return "member", row.mission_id, "", str(row.user_id)
    return None


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"


def _changes(row: object) -> str:
    """`field: old → new` for every column whose value changed in this flush."""
    state = inspect(row)
    parts = []
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes() or attr.key in _SECRET:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            parts.append(f"{attr.key}: {_show(old)} → {_show(new)}")
    return "; ".join(parts)


def _summary(row: object) -> str:
    match row:
        case BookingRow():
            return f"{_show(row.start)} – {_show(row.end)}, {row.status}"
        case ProposalRow():
            return f"{row.status}, open until {_show(row.expires_at)}"
        case MemberRow():
            return f"role {row.role}"
        case MeetingRow():
            return _show(row.title)
        case ParticipantRow():
            return f"{row.kind} {_show(row.name)}"
    return ""


def _record(session: Session, _context: Any) -> None:
    actor = str(session.info.get("actor", ""))
    clock: Callable[[], datetime] | None = session.info.get("clock")
    now = clock() if clock is not None else datetime.now(UTC)
    # Missions created by this unit of work (their children come in later flushes).
    created: set[int] = session.info.setdefault("created_missions", set())
    created.update(row.id for row in session.new if isinstance(row, MissionRow))
    out: list[dict[str, Any]] = []

    def add(row: object, action: str, detail: str) -> None:
        found = _entity(row)
        if found is None:
            return
        entity, mission_id, meeting_id, key = found
        if entity not in ("mission", "member") and mission_id in created:
            return  # part of a mission created in this unit of work: its one entry says so
        out.append(
            {
                "at": now,
                "actor": actor,
                "mission_id": mission_id,
                "meeting_id": meeting_id,
                "action": action,
                "entity": entity,
                "key": key[:300],
                "detail": detail,
            }
        )

    for row in session.new:
        if isinstance(row, MissionRow):
            add(
                row,
                "created",
                f"{_show(row.start)} – {_show(row.end)}, {row.timezone}, from {row.source or '—'}",
            )
        else:
            add(row, "created", _summary(row))
    for row in session.dirty:
        if session.is_modified(row):
            detail = _changes(row)
            if detail:
                add(row, "changed", detail)
    for row in session.deleted:
        add(row, "removed", _summary(row))
    if out:
        session.connection().execute(insert(AuditRow), out)


def record_changes(maker: sessionmaker[Session]) -> None:
    """Write the audit trail of every session `maker` makes."""
    event.listen(maker, "after_flush", _record)


__all__ = ["record_changes"]
