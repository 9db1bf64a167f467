"""Where each person's busy time comes from, and how fresh it is: pure values and rules.

A person's `busy` names sources (files, ICS URLs, CalDAV calendars). The service keeps, per
source, the last good copy of its busy time and how the last reads went (`SourceState`), and
refreshes them with a timed job. A source that fails keeps its last good copy and is marked
stale with its error; the person's busy time is the union of the last good copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from scheduler.core.intervals import EMPTY, IntervalSet


@dataclass(frozen=True, kw_only=True)
class SourceState:
    """One source of one participant. `busy` is None until a read has succeeded."""

    participant_id: str
    position: int
    source: str  # as written in the mission file: secrets are named there, never stored
    busy: IntervalSet | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None  # last good read (a 304 counts: the copy is confirmed)
    checked_at: datetime | None = None  # last attempt
    error: str = ""  # the last attempt's error, already free of secrets; "" when it went well
    failing_since: datetime | None = None

    @property
    def stale(self) -> bool:
        return bool(self.error)

    def fresh_at(self, now: datetime, max_age: timedelta) -> bool:
        """Whether the last good copy is no older than `max_age` at `now`."""
        return self.fetched_at is not None and now - self.fetched_at <= max_age

    def succeeded(
        self, now: datetime, busy: IntervalSet | None, etag: str | None, last_modified: str | None
    ) -> SourceState:
        """After a good read; `busy` None: unchanged (HTTP 304), the last copy stands."""
        return replace(
            self,
            busy=self.busy if busy is None else busy,
            etag=etag or self.etag,
            last_modified=last_modified or self.last_modified,
            fetched_at=now,
            checked_at=now,
            error="",
            failing_since=None,
        )

    def failed(self, now: datetime, error: str) -> SourceState:
        """After a failed read: the last good copy is kept, the error shown."""
        return replace(self, checked_at=now, error=error, failing_since=self.failing_since or now)


def merged_busy(states: Iterable[SourceState]) -> IntervalSet | None:
    """A person's busy time from their sources' last good copies; None while one has none yet."""
    total = EMPTY
    for s in states:
        if s.busy is None:
            return None
        total |= s.busy
    return total


def failing_for(states: Iterable[SourceState], now: datetime, at_least: timedelta) -> list[SourceState]:
    """Sources failing without a break for `at_least` (what the coordinator's digest lists)."""
    return [s for s in states if s.failing_since is not None and now - s.failing_since >= at_least]
