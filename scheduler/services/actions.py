"""Action items that get done: record, edit, assign, date, finish or drop them; their reminders.

Each change runs in one transaction under the mission lock, and rewrites the item's timed
work in that same transaction (as a booking does its reminders): when the owner, the due
date or the state changes, the item's `revision` grows, its pending reminders are cancelled
and the new revision's are written (`core.actions.action_specs`). A due row's key names the
item and revision, so each reminder is stored once and sent once, and a reminder of an old
revision found due is cancelled by the runner (`timed_run`).

Coordinators change anything; a counterpart contact, through their booking link, may only
mark done an item they own that is shared with them (`mark_done_by_contact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scheduler.core.actions import MAX_NOTE, MAX_TEXT, action_specs, moves_reminders, owner_of
from scheduler.core.models import Mission
from scheduler.core.timing import ITEM_STATES, ActionItem
from scheduler.errors import ConfigError, Conflict, NotFound, Problem
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork
from scheduler.services.timed_ports import DueWork, unit

EDITABLE = ("text", "text_ja", "owner", "due", "state", "note", "shared")


@dataclass(frozen=True, kw_only=True)
class ItemChange:
    """The fields a coordinator sets; `None` leaves a field as it is (`clear_due` removes the date)."""

    text: str | None = None
    text_ja: str | None = None
    owner: str | None = None
    due: date | None = None
    clear_due: bool = False
    state: str | None = None
    note: str | None = None
    shared: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in EDITABLE if getattr(self, k) is not None}
        if self.clear_due:
            out["due"] = None
        return out


def _check(mission: Mission, changes: dict[str, Any]) -> dict[str, Any]:
    """Trimmed, checked changes; `ConfigError` naming every bad field."""
    problems: list[Problem] = []
    out = dict(changes)
    for name, limit in (("text", MAX_TEXT), ("text_ja", MAX_TEXT), ("note", MAX_NOTE)):
        if name in out:
            out[name] = str(out[name]).strip()
            if len(out[name]) > limit:
                problems.append(Problem(name, f"at most {limit} characters, not {len(out[name])}"))
    if "text" in out and not out["text"]:
        problems.append(Problem("text", "an action item needs some text"))
    if "owner" in out:
        out["owner"] = str(out["owner"]).strip()
        if out["owner"]:
            owner = owner_of(mission, out["owner"])
            if owner is None:
                problems.append(
                    Problem(
                        "owner",
                        f"{out['owner']!r} is neither a delegate's id nor a counterpart contact's address",
                    )
                )
            else:
                out["owner"] = owner.ref
    if "state" in out and out["state"] not in ITEM_STATES:
        problems.append(Problem("state", f"{out['state']!r} is not one of {', '.join(ITEM_STATES)}"))
    if problems:
        raise ConfigError(problems)
    return out


def _check_meeting(uow: UnitOfWork, mission_id: int, meeting_id: str) -> None:
    if meeting_id not in uow.meeting_statuses(mission_id):
        uow.mission(mission_id)  # NotFound names the mission when that is what is missing
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")


def _schedule(uow: UnitOfWork, due: DueWork, item: ActionItem, now: datetime) -> None:
    due.add(action_specs(uow.mission(item.mission_id), item, due.timing(item.mission_id), now), now=now)


def create_item(
    services: Services,
    mission_id: int,
    meeting_id: str,
    *,
    text: str,
    owner: str = "",
    text_ja: str = "",
    due_date: date | None = None,
    shared: bool = True,
    by: str = "",
) -> ActionItem:
    """Record an item on a meeting; with an owner and a due date, its reminders are written too."""
    now = services.clock.now()
    with unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        _check_meeting(uow, mission_id, meeting_id)
        fields = _check(uow.mission(mission_id), {"text": text, "text_ja": text_ja, "owner": owner})
        item = due.add_action_item(
            mission_id,
            meeting_id,
            fields["text"],
            fields["owner"],
            now=now,
            text_ja=fields["text_ja"],
            due=due_date,
            shared=shared,
            by=by,
        )
        _schedule(uow, due, item, now)
        return item


def update_item(
    services: Services, mission_id: int, item_id: int, change: ItemChange, *, by: str = ""
) -> ActionItem:
    """Edit an item (text, owner, due date, state and note, sharing); reminders follow the edit."""
    now = services.clock.now()
    with unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        before = due.action_item(item_id, lock=True)
        if before.mission_id != mission_id:
            raise NotFound(f"no action item {item_id} in mission {mission_id}")
        changes = _check(uow.mission(mission_id), change.as_dict())
        return _apply(uow, due, before, changes, now=now, by=by)


def _apply(
    uow: UnitOfWork, due: DueWork, before: ActionItem, changes: dict[str, Any], *, now: datetime, by: str
) -> ActionItem:
    if moves_reminders(before, changes):
        changes["revision"] = before.revision + 1
        what = changes.get("state", "edited")
        due.cancel_action_work(before.id, now=now, outcome=f"the action item was {what}")
    item = due.update_action_item(before.id, changes, now=now, by=by)
    if "revision" in changes:
        _schedule(uow, due, item, now)
    return item


def list_items(services: Services, mission_id: int, meeting_id: str | None = None) -> list[ActionItem]:
    """The meeting's items (the whole mission's when `meeting_id` is None), oldest first."""
    with unit(services) as (uow, due):
        if meeting_id is None:
            uow.mission(mission_id)
        else:
            _check_meeting(uow, mission_id, meeting_id)
        return due.action_items(mission_id, meeting_id)


def shared_items(services: Services, mission_id: int, meeting_id: str) -> list[ActionItem]:
    """What a counterpart sees of a meeting's items: the shared ones, not dropped."""
    return [a for a in list_items(services, mission_id, meeting_id) if a.shared and a.state != "dropped"]


def owned_by_counterpart(mission: Mission, item: ActionItem, counterpart_id: str) -> bool:
    """Whether `item` is owned by a contact of the counterpart organisation `counterpart_id`."""
    owner = owner_of(mission, item.owner)
    return owner is not None and owner.counterpart == counterpart_id


def mark_done_by_contact(
    services: Services,
    mission_id: int,
    meeting_id: str,
    counterparts: tuple[str, ...],
    item_id: int,
    note: str = "",
) -> ActionItem:
    """A counterpart marks one of their own shared items of this meeting done (from their link).

    Anything else (another meeting's item, a delegate's, one not shared) is `NotFound`: the link
    must not reveal what it does not show. An item already dropped by the coordinator is a `Conflict`.
    """
    now = services.clock.now()
    with unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        item = due.action_item(item_id, lock=True)
        mission = uow.mission(mission_id)
        mine = any(owned_by_counterpart(mission, item, c) for c in counterparts)
        if item.mission_id != mission_id or item.meeting_id != meeting_id or not item.shared or not mine:
            raise NotFound(f"no action item {item_id} of yours on this meeting")
        if item.state == "dropped":
            raise Conflict("the coordinator dropped this item; it cannot be marked done")
        if item.state == "done":
            return item  # marking done twice (a double click, a second tab) changes nothing
        changes = _check(mission, {"state": "done", **({"note": note} if note.strip() else {})})
        owner = owner_of(mission, item.owner)
        return _apply(uow, due, item, changes, now=now, by=owner.recipient.email if owner else "")


__all__ = [
    "EDITABLE",
    "ItemChange",
    "create_item",
    "list_items",
    "mark_done_by_contact",
    "owned_by_counterpart",
    "shared_items",
    "update_item",
]
