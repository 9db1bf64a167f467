"""The ports of the timed work, and what its two halves (`timed`, `timed_run`) share.

* `DueWork`: the due-work repository inside one transaction (`uow.due`), implemented by
  `scheduler.store.due.SqlDueWork`.
* `TimedMessages`: builds the timed emails, implemented by `scheduler.messages.timed.TimedMail`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

from scheduler.core.attention import AttentionItem
from scheduler.core.models import Mission
from scheduler.core.timing import (
    ActionItem,
    DueItem,
    DueSpec,
    Recipient,
    Timing,
    next_digest_at,
)
from scheduler.core.zones import local_date
from scheduler.ports import Envelope
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork

MEETING_KINDS = ("reminder", "follow_up")


class DueWork(Protocol):
    """The due-work repository inside one transaction (`uow.due`; `scheduler.store.due.SqlDueWork`)."""

    def add(self, specs: Sequence[DueSpec], *, now: datetime) -> int: ...
    def claim(
        self,
        now: datetime,
        limit: int,
        *,
        kinds: Sequence[str] | None = None,
        skip_kinds: Sequence[str] = (),
        mission_id: int | None = None,
    ) -> list[DueItem]: ...
    def later_reminder(self, item: DueItem, now: datetime) -> DueItem | None: ...
    def due_missions(self, now: datetime, kind: str) -> list[int]: ...
    def finish(self, item_id: int, state: str, outcome: str, *, now: datetime) -> None: ...
    def cancel(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        kinds: Sequence[str],
        keep_booking: int | None,
        now: datetime,
        outcome: str,
    ) -> int: ...
    def pending(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]: ...
    def finished(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]: ...
    def count(self, state: str) -> int: ...
    def changes_since(
        self, mission_id: int, since: datetime
    ) -> list[tuple[datetime, str, str, datetime | None]]: ...
    def mission_ids(self) -> list[int]: ...
    def timing(self, mission_id: int) -> Timing: ...
    def set_timing(self, mission_id: int, timing: Timing) -> None: ...
    def add_action_item(
        self,
        mission_id: int,
        meeting_id: str,
        text: str,
        owner: str,
        *,
        now: datetime,
        text_ja: str = "",
        due: date | None = None,
        shared: bool = True,
        by: str = "",
    ) -> ActionItem: ...
    def action_items(self, mission_id: int, meeting_id: str | None = None) -> list[ActionItem]: ...
    def action_item(self, item_id: int, *, lock: bool = False) -> ActionItem: ...
    def update_action_item(
        self, item_id: int, changes: dict[str, Any], *, now: datetime, by: str
    ) -> ActionItem: ...
    def cancel_action_work(self, item_id: int, *, now: datetime, outcome: str) -> int: ...


class TimedUnitOfWork(UnitOfWork, Protocol):
    @property
    def due(self) -> DueWork: ...


class TimedMessages(Protocol):
    """Builds the timed emails; `scheduler.messages.timed.TimedMail` is the real one.

    Every envelope's Message-ID is derived from `key`, so rebuilding it gives the same id.
    """

    def reminder(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        recipient: Recipient,
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def follow_up(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        recipient: Recipient,
        action_items: Sequence[ActionItem],
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def nudge(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        recipient: Recipient,
        sent_at: datetime,
        expires_at: datetime,
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def expiry_notice(
        self, mission: Mission, meeting_id: str, *, expired_at: datetime, key: str, now: datetime
    ) -> Envelope: ...

    def action_reminder(
        self,
        mission: Mission,
        item: ActionItem,
        *,
        recipient: Recipient,
        overdue: bool,
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def digest(
        self,
        mission: Mission,
        *,
        since: datetime,
        changes: Sequence[tuple[datetime, str, str, datetime | None]],
        upcoming: Sequence[DueItem],
        attention: Sequence[AttentionItem] = (),
        key: str,
        now: datetime,
        stale: Sequence[tuple[str, str, str, datetime]] = (),
    ) -> Envelope:
        """`stale`: (person, source shown without secrets, error, failing since) of busy sources
        that stay failing."""
        ...


@dataclass(frozen=True, kw_only=True)
class RunReport:
    """What one `run_due` did: row ids by outcome, and the Message-IDs queued."""

    done: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Overview:
    """What `scheduler jobs` shows: work due next, work finished lately, counts by state."""

    pending: tuple[DueItem, ...]
    finished: tuple[DueItem, ...]
    counts: dict[str, int] = field(default_factory=dict)


def due_of(uow: UnitOfWork) -> DueWork | None:
    # A unit of work without due work (a test's fake) simply schedules nothing.
    due = getattr(uow, "due", None)
    return cast(DueWork, due) if due is not None else None


@contextmanager
def unit(services: Services) -> Iterator[tuple[UnitOfWork, DueWork]]:
    with services.uow() as uow:
        due = due_of(uow)
        if due is None:
            raise TypeError("this unit of work has no due-work repository (`uow.due`)")
        yield uow, due


def digest_spec(mission: Mission, mission_id: int, timing: Timing, after: datetime) -> DueSpec:
    at = next_digest_at(after, mission.timezone, timing)
    return DueSpec(
        key=f"digest:m{mission_id}:{local_date(at, mission.timezone).isoformat()}",
        kind="digest",
        due_at=at,
        mission_id=mission_id,
        recipient=Recipient(
            name=mission.organizer.name,
            email=mission.organizer.email,
            language=mission.organizer.language,
            timezone=mission.timezone,
            kind="coordinator",
        ),
    )


__all__ = [
    "MEETING_KINDS",
    "DueWork",
    "Overview",
    "RunReport",
    "TimedMessages",
    "TimedUnitOfWork",
    "digest_spec",
    "due_of",
    "unit",
]
