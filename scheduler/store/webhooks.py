"""Webhooks in the database: endpoints, events recorded with the change, deliveries and their log.

Two faces, as the mail outbox (`store.outbox`):

* `SqlWebhooks` (as `uow.webhooks`) works inside a unit of work: endpoints are registered and
  events are recorded in the transaction of the change that causes them, one delivery (with
  its one `webhook-id`) per subscribed endpoint, so a booking and its webhooks commit together
  or not at all.
* `DbWebhooks` (from `Store.webhooks()`) is the delivery step. It leases a delivery (attempts
  + 1, next try pushed out by `lease`, a log row opened, committed), posts it, then settles it
  in a second transaction. No lock is held during the request, two workers never take the same
  delivery (`FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite's write lock otherwise), and a worker
  killed mid-request leaves the delivery queued: after the lease it is posted again with the
  same `webhook-id` and body. At least once, never lost; receivers drop duplicates by the id.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.core.intervals import ensure_utc
from scheduler.core.webhooks import MAX_ATTEMPTS, Attempt, Delivery, Endpoint, backoff, subscribed, utc_text
from scheduler.errors import DeliveryError, NotFound
from scheduler.ports import Clock, DeliveryReport, WebhookAnswer, WebhookRequest, WebhookSender
from scheduler.store.tables import (
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
    WebhookEventRow,
)

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the process stopped before the answer was recorded"


def body_of(event_type: str, data: Mapping[str, Any], now: datetime) -> str:
    """The JSON every try of the event sends: `{"type", "timestamp", "data"}` (Standard Webhooks' shape)."""
    payload = {"type": event_type, "timestamp": utc_text(now), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _endpoint(row: WebhookEndpointRow) -> Endpoint:
    return Endpoint(
        id=row.id,
        mission_id=row.mission_id,
        url=row.url,
        description=row.description,
        events=tuple(row.events),
        active=row.active,
        created_at=row.created_at,
    )


def _attempt(row: WebhookAttemptRow) -> Attempt:
    return Attempt(
        number=row.number,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status_code=row.status_code,
        response_excerpt=row.response_excerpt,
        error=row.error,
        replay=row.replay,
    )


class SqlWebhooks:
    """Endpoints, events and deliveries inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- endpoints -------------------------------------------------------------------------------
    def add_endpoint(
        self,
        mission_id: int,
        *,
        url: str,
        events: Sequence[str],
        description: str,
        secret: str,
        now: datetime,
    ) -> Endpoint:
        row = WebhookEndpointRow(
            mission_id=mission_id,
            url=url,
            events=list(events),
            description=description,
            secret=secret,
            active=True,
            created_at=ensure_utc(now, "now"),
        )
        self._session.add(row)
        self._session.flush()
        return _endpoint(row)

    def _row(self, mission_id: int, endpoint_id: int) -> WebhookEndpointRow:
        row = self._session.get(WebhookEndpointRow, endpoint_id)
        if row is None or row.mission_id != mission_id:
            raise NotFound(f"no webhook endpoint {endpoint_id} in mission {mission_id}")
        return row

    def endpoints(self, mission_id: int) -> list[Endpoint]:
        query = select(WebhookEndpointRow).where(WebhookEndpointRow.mission_id == mission_id)
        return [_endpoint(r) for r in self._session.scalars(query.order_by(WebhookEndpointRow.id))]

    def endpoint(self, mission_id: int, endpoint_id: int) -> Endpoint:
        return _endpoint(self._row(mission_id, endpoint_id))

    def update_endpoint(
        self,
        mission_id: int,
        endpoint_id: int,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> Endpoint:
        row = self._row(mission_id, endpoint_id)
        if url is not None:
            row.url = url
        if events is not None:
            row.events = list(events)
        if description is not None:
            row.description = description
        if active is not None:
            row.active = active
        self._session.flush()
        return _endpoint(row)

    def delete_endpoint(self, mission_id: int, endpoint_id: int) -> None:
        self._session.delete(self._row(mission_id, endpoint_id))
        self._session.flush()

    # --- events ----------------------------------------------------------------------------------
    def record(
        self, mission_id: int, event_type: str, data: Mapping[str, Any], *, now: datetime
    ) -> list[str]:
        """Record the event for every active endpoint of the mission that takes it; their webhook-ids.

        Nothing is stored when no endpoint takes it.
        """
        now = ensure_utc(now, "now")
        takers = [e for e in self.endpoints(mission_id) if e.active and subscribed(e.events, event_type)]
        if not takers:
            return []
        event = WebhookEventRow(
            mission_id=mission_id, type=event_type, body=body_of(event_type, data, now), created_at=now
        )
        self._session.add(event)
        self._session.flush()
        ids = [f"msg_{uuid.uuid4().hex}" for _ in takers]
        self._session.add_all(
            WebhookDeliveryRow(
                webhook_id=webhook_id,
                event_id=event.id,
                endpoint_id=endpoint.id,
                status="queued",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
                last_error="",
                replay_requested=False,
            )
            for webhook_id, endpoint in zip(ids, takers, strict=True)
        )
        self._session.flush()
        return ids

    def deliveries(self, mission_id: int, endpoint_id: int, *, limit: int = 50) -> list[Delivery]:
        """The endpoint's deliveries, newest first, each with its log."""
        self._row(mission_id, endpoint_id)
        query = (
            select(WebhookDeliveryRow, WebhookEventRow.type, WebhookEventRow.body)
            .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
            .where(WebhookDeliveryRow.endpoint_id == endpoint_id)
            .order_by(WebhookDeliveryRow.id.desc())
            .limit(limit)
        )
        rows = self._session.execute(query).all()
        attempts: dict[int, list[Attempt]] = {}
        if rows:
            logged = select(WebhookAttemptRow).where(
                WebhookAttemptRow.delivery_id.in_([d.id for d, _, _ in rows])
            )
            for a in self._session.scalars(logged.order_by(WebhookAttemptRow.number)):
                attempts.setdefault(a.delivery_id, []).append(_attempt(a))
        return [
            Delivery(
                webhook_id=d.webhook_id,
                endpoint_id=d.endpoint_id,
                event_type=event_type,
                body=body,
                status=d.status,
                attempts=d.attempts,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at if d.status == "queued" else None,
                delivered_at=d.delivered_at,
                last_error=d.last_error,
                log=tuple(attempts.get(d.id, ())),
            )
            for d, event_type, body in rows
        ]

    def replay(self, mission_id: int, endpoint_id: int, webhook_id: str, *, now: datetime) -> None:
        """Send the delivery again, now, with its webhook-id and body (whatever its state)."""
        self._row(mission_id, endpoint_id)  # NotFound when the endpoint is another mission's
        row = self._session.scalars(
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.webhook_id == webhook_id, WebhookDeliveryRow.endpoint_id == endpoint_id)
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"no delivery {webhook_id!r} to webhook endpoint {endpoint_id}")
        row.status, row.attempts, row.next_attempt_at = "queued", 0, ensure_utc(now, "now")
        row.replay_requested = True
        self._session.flush()


class DbWebhooks:
    """The delivery step; each lease and each settlement is its own short transaction."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        *,
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._sessions = sessions
        self.lease = lease
        self.max_attempts = max_attempts

    def _lease(self, now: datetime) -> tuple[int, int, WebhookRequest] | None:
        with self._sessions() as session, session.begin():
            query = (
                select(WebhookDeliveryRow)
                .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
                .where(
                    WebhookDeliveryRow.status == "queued",
                    WebhookDeliveryRow.next_attempt_at <= now,
                    WebhookEndpointRow.active.is_(True),
                )
                .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=WebhookDeliveryRow)
            )
            row = session.scalars(query).first()
            if row is None:
                return None
            endpoint = session.get(WebhookEndpointRow, row.endpoint_id)
            event = session.get(WebhookEventRow, row.event_id)
            assert endpoint is not None
            assert event is not None
            logged = list(
                session.scalars(select(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id == row.id))
            )
            for earlier in logged:
                if earlier.finished_at is None and not earlier.error:
                    earlier.error = INTERRUPTED
            row.attempts += 1
            row.next_attempt_at = now + self.lease
            attempt = WebhookAttemptRow(
                delivery_id=row.id,
                number=len(logged) + 1,
                started_at=now,
                response_excerpt="",
                error="",
                replay=row.replay_requested,
            )
            row.replay_requested = False
            session.add(attempt)
            session.flush()
            request = WebhookRequest(
                webhook_id=row.webhook_id,
                url=endpoint.url,
                secret=endpoint.secret,
                body=event.body.encode("utf-8"),
                sent_at=now,
            )
            return row.id, attempt.id, request

    def _settle(
        self,
        delivery_id: int,
        attempt_id: int,
        now: datetime,
        answer: WebhookAnswer | None,
        error: DeliveryError | None,
    ) -> str:
        with self._sessions() as session, session.begin():
            row = session.get(WebhookDeliveryRow, delivery_id, with_for_update=True)
            attempt = session.get(WebhookAttemptRow, attempt_id)
            assert row is not None
            assert attempt is not None
            attempt.finished_at = now
            if answer is not None:
                attempt.status_code, attempt.response_excerpt = answer.status, answer.excerpt
            if answer is not None and 200 <= answer.status < 300:
                row.status, row.delivered_at, row.last_error = "sent", now, ""
                return "sent"
            problem = str(error) if error is not None else f"HTTP {answer.status if answer else '?'}"
            attempt.error = problem
            row.last_error = problem
            retry = (
                error is None or error.temporary
            )  # any answer but 2xx may be the receiver's passing trouble
            if retry and row.attempts < self.max_attempts:
                row.next_attempt_at = now + backoff(row.attempts)
                return "retrying"
            if retry:
                row.last_error = f"gave up after {row.attempts} attempts: {problem}"
            row.status = "failed"
            return "failed"

    def deliver(self, sender: WebhookSender, clock: Clock) -> DeliveryReport:
        """Post every delivery due, one at a time; `clock` times each try (its webhook-timestamp)."""
        done: dict[str, list[str]] = {"sent": [], "retrying": [], "failed": []}
        while (leased := self._lease(ensure_utc(clock.now(), "now"))) is not None:
            delivery_id, attempt_id, request = leased
            answer: WebhookAnswer | None = None
            error: DeliveryError | None = None
            try:
                answer = sender.send(request)
            except DeliveryError as exc:
                error = exc
            outcome = self._settle(delivery_id, attempt_id, ensure_utc(clock.now(), "now"), answer, error)
            done[outcome].append(request.webhook_id)
            log.info("webhook %s %s", request.webhook_id, outcome)
        return DeliveryReport(
            sent=tuple(done["sent"]), retrying=tuple(done["retrying"]), failed=tuple(done["failed"])
        )


__all__ = ["INTERRUPTED", "DbWebhooks", "SqlWebhooks", "body_of"]
