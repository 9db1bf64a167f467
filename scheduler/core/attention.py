"""The coordinator's attention queue, as values: what happened that a person must act on.

Nothing a counterpart submits, and nothing the negotiation cannot settle by itself, may
vanish: each becomes an `AttentionItem` that stays open until the action that resolves it is
taken (or it is dismissed with a note). The kinds and the actions each offers:

* ``declined``: "none of these work", with the counterpart's windows and note → propose from
  those windows, or dismiss.
* ``change-requested`` / ``cancel-requested``: from a booked link, with the note → reschedule
  or cancel the meeting, or dismiss.
* ``exhausted``: an open proposal fell below its minimum and no replacement fits → the reason
  names what blocks it; propose again after changing the mission, or dismiss.
* ``approve-options``: replacement options found while the mission asks for approval → send.
* ``delivery-failed``: a message was given up on → resend.
* ``conflict``: offered options compete (a pick may take another meeting's time) → dismiss.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

AttentionKind = Literal[
    "declined",
    "change-requested",
    "cancel-requested",
    "exhausted",
    "approve-options",
    "delivery-failed",
    "conflict",
]
ACTIONS: Mapping[str, tuple[str, ...]] = {
    "declined": ("propose", "dismiss"),
    "change-requested": ("reschedule", "dismiss"),
    "cancel-requested": ("cancel", "dismiss"),
    "exhausted": ("propose", "dismiss"),
    "approve-options": ("send", "dismiss"),
    "delivery-failed": ("resend", "dismiss"),
    "conflict": ("dismiss",),
}


@dataclass(frozen=True, kw_only=True)
class AttentionItem:
    """One entry of the queue. `detail` is kind-specific (windows, option ids, reasons, message id)."""

    id: int
    mission_id: int
    kind: AttentionKind
    summary: str
    created_at: datetime
    meeting_id: str = ""
    proposal_id: int | None = None
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)
    notified_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return ACTIONS[self.kind]


@dataclass(frozen=True, kw_only=True)
class Negotiation:
    """A mission's negotiation policy: the fewest open options a proposal should keep, and whether
    replacements go out at once (`auto_recovery`) or wait for the coordinator's approval."""

    min_options: int = 2
    auto_recovery: bool = True


__all__ = ["ACTIONS", "AttentionItem", "AttentionKind", "Negotiation"]
