"""The coordinator's attention queue: list it, and take the action that resolves an item.

Items are filed by the negotiation (`negotiation.raise_item`) wherever something needs a
person; each carries the actions that resolve it (`core.attention.ACTIONS`). Taking one here
does the work (a new proposal from the counterpart's windows, a cancellation, sending the
suggested times) and closes the item in the same use case; a dismissal keeps the note.
Rescheduling is done on the meeting page with its form; the booking closes the item.
"""

from __future__ import annotations

from scheduler.core.attention import AttentionItem, Negotiation
from scheduler.errors import ConfigError, Conflict, NotFound
from scheduler.services.booking import cancel
from scheduler.services.context import Services
from scheduler.services.negotiation import send_suggested
from scheduler.services.proposals import propose

MAX_NOTE = 2000
MAX_MIN_OPTIONS = 5


def attention_items(services: Services, mission_id: int, *, open_only: bool = True) -> list[AttentionItem]:
    """The mission's items, oldest first (only the open ones unless `open_only` is False)."""
    with services.uow() as uow:
        uow.mission(mission_id)  # NotFound for an unknown mission
        return uow.attention.items(mission_id, open_only=open_only)


def resolve(
    services: Services, mission_id: int, item_id: int, action: str, *, note: str = ""
) -> AttentionItem:
    """Take `action` on an open item and close it. Raises `NotFound`, `ConfigError` (an action the
    item does not offer, a note too long), `Conflict` (already resolved, or the action fails)."""
    if len(note) > MAX_NOTE:
        raise ConfigError(f"keep the note under {MAX_NOTE} characters", "note")
    with services.uow() as uow:
        item = uow.attention.item(item_id)
        if item.mission_id != mission_id:
            raise NotFound(f"no attention item {item_id} in mission {mission_id}")
        proposal = uow.proposal(item.proposal_id) if item.proposal_id is not None else None
    if item.resolved_at is not None:
        raise Conflict(f"item {item_id} was already resolved ({item.resolution})")
    if action not in item.actions:
        raise ConfigError(f"a {item.kind} item offers {', '.join(item.actions)}, not {action!r}", "action")
    outcome = f"dismissed: {note}".rstrip(": ") if action == "dismiss" else ""
    if action == "propose":
        windows = proposal.available if proposal is not None else ()
        holder = proposal.available_for if proposal is not None else ""
        created = propose(services, mission_id, item.meeting_id, windows=windows, holder=holder)
        outcome = f"proposed {len(created.proposal.options)} new times"
    elif action == "cancel":
        cancel(services, mission_id, item.meeting_id)
        outcome = "cancelled"
    elif action == "send":
        if proposal is None:
            raise Conflict("this item has no proposal to send times for")
        outcome = f"sent {len(send_suggested(services, mission_id, proposal.id))} new times"
    elif action == "resend":
        with services.uow() as uow:
            if not uow.outbox.requeue(str(item.detail.get("message_id", "")), now=services.clock.now()):
                raise Conflict("that message is no longer waiting to be resent")
        outcome = "queued again"
    elif action == "reschedule":
        raise ConfigError("rescheduling is done on the meeting page; the item closes with it", "action")
    if action != "dismiss":
        outcome = f"{outcome} {note}".strip()
    with services.uow() as uow:
        uow.attention.resolve([item_id], resolution=outcome, now=services.clock.now())
        return uow.attention.item(item_id)


def negotiation(services: Services, mission_id: int) -> Negotiation:
    with services.uow() as uow:
        uow.mission(mission_id)
        return uow.attention.negotiation(mission_id)


def set_negotiation(
    services: Services, mission_id: int, *, min_options: int, auto_recovery: bool
) -> Negotiation:
    """Change the mission's negotiation policy. Raises `ConfigError` for a minimum outside 1..5."""
    if isinstance(min_options, bool) or not 1 <= min_options <= MAX_MIN_OPTIONS:
        raise ConfigError(
            f"expected a whole number from 1 to {MAX_MIN_OPTIONS}, got {min_options!r}", "min_options"
        )
    policy = Negotiation(min_options=min_options, auto_recovery=auto_recovery)
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        uow.mission(mission_id)
        uow.attention.set_negotiation(mission_id, policy)
    return policy


__all__ = ["attention_items", "negotiation", "resolve", "set_negotiation"]
