"""When timed work falls due: reminders, follow-ups, nudges, proposal expiry and the daily digest.

Pure: instants in, instants out. A mission's `Timing` says the offsets; the person's own zone
says what "morning" means. A follow-up is due on the recipient's local date after the
meeting ended (plus `follow_up_days - 1` more days) at `follow_up_hour` local time, so a
Tokyo contact gets it at 09:00 in Tokyo and a Toronto delegate at 09:00 in Toronto:

    >>> from datetime import UTC, datetime
    >>> follow_up_at(datetime(2027, 2, 3, 2, 0, tzinfo=UTC), "Asia/Tokyo", Timing())
    datetime.datetime(2027, 2, 4, 0, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from scheduler.core.intervals import ensure_utc
from scheduler.core.models import Contact, Meeting, Mission
from scheduler.core.zones import local_date, wall_to_utc

DueKind = Literal["reminder", "follow_up", "nudge", "expiry", "digest", "action_due", "action_overdue"]
DueState = Literal["due", "done", "dropped", "cancelled", "failed"]
DUE_KINDS: tuple[DueKind, ...] = (
    "reminder",
    "follow_up",
    "nudge",
    "expiry",
    "digest",
    "action_due",
    "action_overdue",
)
ItemState = Literal["open", "done", "dropped"]
ITEM_STATES: tuple[ItemState, ...] = ("open", "done", "dropped")


@dataclass(frozen=True, kw_only=True)
class Timing:
    """A mission's timed-work settings (stored per mission; these are the defaults).

    `reminders`: how long before the start each reminder goes; `nudge_after`: how long a
    booking request may stay unanswered before its counterpart is nudged; `follow_up_days`
    and `follow_up_hour`: the follow-up goes that many local dates after the meeting, at that
    local hour; `digest_hour`: the coordinator's daily digest, at that hour in the mission's zone.
    """

    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    nudge_after: timedelta = timedelta(days=3)
    follow_up_days: int = 1
    follow_up_hour: int = 9
    digest_hour: int = 8

    def __post_init__(self) -> None:
        if any(r <= timedelta(0) for r in self.reminders):
            raise ValueError("reminder offsets must be positive durations before the meeting")
        if self.nudge_after <= timedelta(0):
            raise ValueError("nudge_after must be positive")
        if self.follow_up_days < 0:
            raise ValueError("follow_up_days must be 0 or more")
        for name in ("follow_up_hour", "digest_hour"):
            if not 0 <= getattr(self, name) <= 23:
                raise ValueError(f"{name} must be an hour 0..23")


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """Someone timed mail goes to, with the language and zone it is written for."""

    name: str
    email: str
    language: str = "en"
    timezone: str = "UTC"
    kind: Literal["delegate", "contact", "guest", "coordinator"] = "guest"


@dataclass(frozen=True, kw_only=True)
class DueSpec:
    """One piece of due work to store. `key` is unique for ever: storing it twice stores it once."""

    key: str
    kind: DueKind
    due_at: datetime
    mission_id: int
    meeting_id: str = ""
    booking_id: int | None = None
    proposal_id: int | None = None
    recipient: Recipient | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "due_at", ensure_utc(self.due_at, "due_at"))


@dataclass(frozen=True, kw_only=True)
class DueItem:
    """One stored piece of due work, as the database has it."""

    id: int
    key: str
    kind: DueKind
    due_at: datetime
    state: DueState
    mission_id: int
    meeting_id: str = ""
    booking_id: int | None = None
    proposal_id: int | None = None
    recipient: Recipient | None = None
    detail: str = ""
    finished_at: datetime | None = None
    outcome: str = ""


@dataclass(frozen=True, kw_only=True)
class ActionItem:
    """Something agreed in a meeting, recorded by the coordinator; it goes in the follow-up.

    `owner` names a delegate (their participant id) or a counterpart contact (their email
    address); "" is nobody yet. `due` is a date on the owner's own calendar (a Tokyo owner's
    Monday), so the reminder goes on their morning. `shared`: the counterpart sees it (their
    follow-up email and booking link). `revision` grows with every change that moves the
    reminders, so each revision's reminders are stored (and sent) once.
    """

    id: int
    mission_id: int
    meeting_id: str
    text: str
    owner: str = ""
    created_at: datetime = field(compare=False)
    text_ja: str = ""
    due: date | None = None
    state: ItemState = "open"
    note: str = ""
    shared: bool = True
    revision: int = 0
    updated_at: datetime | None = field(default=None, compare=False)
    updated_by: str = ""

    def text_for(self, language: str) -> str:
        """The Japanese text for a Japanese reader when there is one, else the text."""
        return self.text_ja if language.lower().startswith("ja") and self.text_ja else self.text


def recipients(mission: Mission, meeting: Meeting, extra: Iterable[Contact] = ()) -> tuple[Recipient, ...]:
    """Delegates (with an address) and every counterpart contact of `meeting`, then `extra` guests.

    A contact lives in their organisation's zone; a guest the counterpart added is taken to be
    in the first counterpart's zone. An address named twice is written to once.
    """
    out: list[Recipient] = []
    for pid in (*meeting.delegates, *meeting.counterparts, *meeting.optional):
        p = mission.participant(pid)
        if p.kind == "delegate":
            if p.email:
                out.append(
                    Recipient(
                        name=p.name, email=p.email, language=p.language, timezone=p.timezone, kind="delegate"
                    )
                )
            continue
        out += [
            Recipient(name=c.name, email=c.email, language=c.language, timezone=p.timezone, kind="contact")
            for c in p.contacts
        ]
    guest_zone = (
        mission.participant(meeting.counterparts[0]).timezone if meeting.counterparts else mission.timezone
    )
    out += [Recipient(name=c.name, email=c.email, language=c.language, timezone=guest_zone) for c in extra]
    seen: set[str] = set()
    unique = []
    for r in out:
        if r.email.lower() not in seen:
            seen.add(r.email.lower())
            unique.append(r)
    return tuple(unique)


def reminder_times(start: datetime, timing: Timing) -> list[tuple[timedelta, datetime]]:
    """(offset, due instant) of each reminder before a meeting starting at `start`, earliest first."""
    start = ensure_utc(start, "start")
    return sorted(((o, start - o) for o in set(timing.reminders)), key=lambda t: t[1])


def follow_up_at(end: datetime, zone_name: str, timing: Timing) -> datetime:
    """The recipient's morning `follow_up_days` local dates after the meeting ended (see the module)."""
    day = local_date(ensure_utc(end, "end"), zone_name) + timedelta(days=timing.follow_up_days)
    due = wall_to_utc(day, timing.follow_up_hour * 60, zone_name)
    return max(due, end)


def next_digest_at(after: datetime, zone_name: str, timing: Timing) -> datetime:
    """The first digest time (`digest_hour` in the zone) strictly after `after`."""
    after = ensure_utc(after, "after")
    day = local_date(after, zone_name)
    for d in range(3):
        due = wall_to_utc(day + timedelta(days=d), timing.digest_hour * 60, zone_name)
        if due > after:
            return due
    raise AssertionError("unreachable: a day always has a digest hour")  # pragma: no cover


def offset_label(offset: timedelta) -> str:
    """`24h`, `1h`, `90m`: the offset as stored beside a reminder."""
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def parse_offsets(values: Sequence[int]) -> tuple[timedelta, ...]:
    """Reminder offsets from seconds, as stored."""
    return tuple(timedelta(seconds=int(v)) for v in values)


__all__ = [
    "DUE_KINDS",
    "ITEM_STATES",
    "ActionItem",
    "DueItem",
    "DueKind",
    "DueSpec",
    "DueState",
    "ItemState",
    "Recipient",
    "Timing",
    "follow_up_at",
    "next_digest_at",
    "offset_label",
    "parse_offsets",
    "recipients",
    "reminder_times",
]
