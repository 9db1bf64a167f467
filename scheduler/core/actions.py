"""Action items that get done: who owns one, when its reminders fall due, what an edit changes.

Pure. An owner is named by reference: a delegate's participant id (`brown`) or a counterpart
contact's email address (`watanabe@jeita.example.jp`). The due date is a date on the owner's
own calendar; the reminder goes on that morning and the overdue nudge the next morning, both
at the mission's `follow_up_hour` in the owner's zone. A Tokyo owner's Monday 09:00 is a
Toronto Sunday evening:

    >>> from datetime import date
    >>> due_morning(date(2027, 3, 1), "Asia/Tokyo", 9)
    datetime.datetime(2027, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.core.models import Mission
from scheduler.core.timing import ActionItem, DueSpec, Recipient, Timing
from scheduler.core.zones import local_date, wall_to_utc

ACTION_KINDS = ("action_due", "action_overdue")
MAX_TEXT = 2000
MAX_NOTE = 2000


@dataclass(frozen=True, kw_only=True)
class Owner:
    """Who an owner reference names: the person reminded, and the organisation they speak for."""

    ref: str
    recipient: Recipient
    counterpart: str = ""  # the counterpart organisation's id for a contact, "" for a delegate


def owner_of(mission: Mission, ref: str) -> Owner | None:
    """The delegate (by id) or counterpart contact (by email, any case) `ref` names, or None."""
    ref = ref.strip()
    if not ref:
        return None
    for d in mission.delegates:
        if d.id == ref:
            r = Recipient(
                name=d.name, email=d.email, language=d.language, timezone=d.timezone, kind="delegate"
            )
            return Owner(ref=d.id, recipient=r)
    wanted = ref.lower()
    for p in mission.counterparts:
        for c in p.contacts:
            if c.email.lower() == wanted:
                r = Recipient(
                    name=c.name, email=c.email, language=c.language, timezone=p.timezone, kind="contact"
                )
                return Owner(ref=c.email, recipient=r, counterpart=p.id)
    return None


def owner_choices(mission: Mission, meeting_id: str | None = None) -> list[tuple[str, str]]:
    """(reference, label) of everyone who may own an item: the meeting's people first, then the rest."""
    out: list[tuple[str, str]] = []
    for d in mission.delegates:
        out.append((d.id, f"{d.name} ({d.id})"))
    for p in mission.counterparts:
        out += [(c.email, f"{c.name}, {p.name}") for c in p.contacts]
    if meeting_id is None:
        return out
    meeting = mission.meeting(meeting_id)
    mine = set(meeting.delegates) | {
        c.email for pid in meeting.counterparts for c in mission.participant(pid).contacts
    }
    return sorted(out, key=lambda o: o[0] not in mine)


def due_morning(day: date, zone_name: str, hour: int) -> datetime:
    """`hour`:00 on `day` in the zone, as a UTC instant (the zone rule decides a gap)."""
    return wall_to_utc(day, hour * 60, zone_name)


def overdue_morning(day: date, zone_name: str, hour: int) -> datetime:
    """The morning after the due date: the item is overdue then if it is still open."""
    return wall_to_utc(day + timedelta(days=1), hour * 60, zone_name)


def action_key(kind: str, item_id: int, revision: int, email: str) -> str:
    """The due row's key: unique per item, revision and recipient, so each is sent once."""
    return f"{kind}:a{item_id}:r{revision}:{email.lower()}"


def parse_action_key(key: str) -> tuple[int, int]:
    """(item id, revision) of an action key; `ValueError` for any other key."""
    parts = key.split(":", 3)
    if len(parts) != 4 or parts[0] not in ACTION_KINDS or not parts[1].startswith("a"):
        raise ValueError(f"{key!r} is not an action item key")
    return int(parts[1][1:]), int(parts[2].removeprefix("r"))


def action_specs(mission: Mission, item: ActionItem, timing: Timing, now: datetime) -> list[DueSpec]:
    """The reminder on the due morning and the overdue nudge of an open item with an owner and a date.

    A time already past is skipped, except the latest one: an item given a due date of today
    after 09:00 still gets its reminder at once, and one set to yesterday its nudge.
    """
    if item.state != "open" or item.due is None:
        return []
    owner = owner_of(mission, item.owner)
    if owner is None or not owner.recipient.email:
        return []
    r = owner.recipient
    times = [
        ("action_due", due_morning(item.due, r.timezone, timing.follow_up_hour)),
        ("action_overdue", overdue_morning(item.due, r.timezone, timing.follow_up_hour)),
    ]
    if times[1][1] <= now:
        times = times[1:]  # already overdue: "it is due today" would be wrong; the nudge goes now
    return [
        DueSpec(
            key=action_key(kind, item.id, item.revision, r.email),
            kind=kind,  # type: ignore[arg-type]
            due_at=max(at, now),
            mission_id=item.mission_id,
            meeting_id=item.meeting_id,
            recipient=r,
            detail=f"item {item.id} due {item.due.isoformat()}",
        )
        for kind, at in times
    ]


def moves_reminders(before: ActionItem, changes: dict[str, object]) -> bool:
    """Whether an edit changes when, or to whom, the item's reminders go."""
    return any(k in changes and changes[k] != getattr(before, k) for k in ("owner", "due", "state"))


def is_overdue(mission: Mission, item: ActionItem, now: datetime) -> bool:
    """Open, dated, and its due date is before today on the owner's calendar (the mission's zone
    when the item has no owner to ask)."""
    if item.state != "open" or item.due is None:
        return False
    owner = owner_of(mission, item.owner)
    zone_name = owner.recipient.timezone if owner else mission.timezone
    return item.due < local_date(now, zone_name)


def open_first(items: Sequence[ActionItem]) -> list[ActionItem]:
    """Open items first (earliest due first, undated last), then done, then dropped."""
    order = {"open": 0, "done": 1, "dropped": 2}
    return sorted(items, key=lambda a: (order[a.state], a.due or date.max, a.id))


__all__ = [
    "ACTION_KINDS",
    "MAX_NOTE",
    "MAX_TEXT",
    "Owner",
    "action_key",
    "action_specs",
    "due_morning",
    "is_overdue",
    "moves_reminders",
    "open_first",
    "overdue_morning",
    "owner_choices",
    "owner_of",
    "parse_action_key",
]
