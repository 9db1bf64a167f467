"""The attention queue and the negotiation policy in one transaction (see `core.attention`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.core.attention import AttentionItem, Negotiation
from scheduler.errors import NotFound
from scheduler.store.tables import AttentionRow, NegotiationRow


class SqlAttention:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        mission_id: int,
        kind: str,
        *,
        summary: str,
        now: datetime,
        meeting_id: str = "",
        proposal_id: int | None = None,
        note: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AttentionItem:
        row = AttentionRow(
            mission_id=mission_id,
            kind=kind,
            meeting_id=meeting_id,
            proposal_id=proposal_id,
            summary=summary,
            note=note,
            detail=dict(detail or {}),
            created_at=now,
            resolution="",
        )
        self.session.add(row)
        self.session.flush()
        return _item(row)

    def item(self, item_id: int) -> AttentionItem:
        row = self.session.get(AttentionRow, item_id)
        if row is None:
            raise NotFound(f"no attention item {item_id}")
        return _item(row)

    def items(self, mission_id: int, *, open_only: bool = True) -> list[AttentionItem]:
        query = select(AttentionRow).where(AttentionRow.mission_id == mission_id).order_by(AttentionRow.id)
        if open_only:
            query = query.where(AttentionRow.resolved_at.is_(None))
        return [_item(r) for r in self.session.scalars(query)]

    def resolve(self, item_ids: Sequence[int], *, resolution: str, now: datetime) -> None:
        for item_id in item_ids:
            row = self.session.get(AttentionRow, item_id)
            if row is not None and row.resolved_at is None:
                row.resolved_at = now
                row.resolution = resolution
        self.session.flush()

    def mark_notified(self, item_id: int, now: datetime) -> None:
        row = self.session.get(AttentionRow, item_id)
        if row is not None:
            row.notified_at = now
            self.session.flush()

    def negotiation(self, mission_id: int) -> Negotiation:
        row = self.session.get(NegotiationRow, mission_id)
        if row is None:
            return Negotiation()
        return Negotiation(min_options=row.min_options, auto_recovery=row.auto_recovery)

    def set_negotiation(self, mission_id: int, policy: Negotiation) -> None:
        row = self.session.get(NegotiationRow, mission_id)
        if row is None:
            self.session.add(
                NegotiationRow(
                    mission_id=mission_id, min_options=policy.min_options, auto_recovery=policy.auto_recovery
                )
            )
        else:
            row.min_options = policy.min_options
            row.auto_recovery = policy.auto_recovery
        self.session.flush()


def _item(row: AttentionRow) -> AttentionItem:
    return AttentionItem(
        id=row.id,
        mission_id=row.mission_id,
        kind=row.kind,  # type: ignore[arg-type]
        summary=row.summary,
        created_at=row.created_at,
        meeting_id=row.meeting_id,
        proposal_id=row.proposal_id,
        note=row.note,
        detail=row.detail or {},
        notified_at=row.notified_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )
