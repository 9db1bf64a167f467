"""Edge glue: the emails of timed work (`services.timed.TimedMessages`), from `scheduler.mail`.

Reminders and follow-ups are the mail package's letters (kinds `reminder` and `follow_up`,
English and Japanese, times in the reader's zone with the other side's beside them, the
video link in the details). Nudges, expiry notices and the digest are short plain letters
written here. Every Message-ID is derived from the due row's key, so the 24 h and the 1 h
reminder to one person are two messages, and rebuilding one after a crash gives the same id
(the outbox then stores it once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from scheduler.core.attention import AttentionItem
from scheduler.core.models import Mission
from scheduler.core.timing import ActionItem, DueItem, Recipient
from scheduler.ical.people import Attendee, attendees
from scheduler.ical.secrets import redact
from scheduler.mail import timefmt
from scheduler.mail.compose import address, compose, envelope, one_line
from scheduler.mail.render import Kind, Letter
from scheduler.messages.action_mail import item_line, reminder_text
from scheduler.ports import Envelope


def message_id(mission: Mission, kind: str, key: str) -> str:
    """A Message-ID fixed by the due row's key."""
    digest = hashlib.sha256(f"{mission.name}\x1f{key}".encode()).hexdigest()[:32]
    domain = mission.organizer.email.rpartition("@")[2] or "scheduler.invalid"
    return f"<{kind}.{digest}@{domain}>"


def _reader(r: Recipient) -> Attendee:
    return Attendee(
        name=r.name,
        email=r.email,
        language=r.language,
        timezone=r.timezone,
        kind="contact" if r.kind == "contact" else "delegate" if r.kind == "delegate" else "guest",
    )


def _with_id(msg: EmailMessage, new_id: str) -> Envelope:
    msg.replace_header("Message-ID", new_id)
    return envelope(msg)


def plain_letter(
    mission: Mission, to: Recipient, subject: str, text: str, new_id: str, now: datetime
) -> Envelope:
    organizer = mission.organizer
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = address(organizer.name, organizer.email, "mission.organizer.email")
    msg["To"] = address(to.name, to.email, "recipient email")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = new_id
    msg["Subject"] = one_line(subject)
    msg["Content-Language"] = "ja, en" if timefmt.language_of(to.language) == "ja" else "en"
    msg.set_content(
        text, subtype="plain", charset="utf-8", cte="quoted-printable" if text.isascii() else "base64"
    )
    return envelope(msg)


def _letter(kind: Kind, mission: Mission, meeting_id: str, start: datetime, **extra: Any) -> Letter:
    """The mail package's letter of `kind` about one meeting held at `start`, to its attendees."""
    meeting = mission.meeting(meeting_id)
    return Letter(
        kind=kind,
        mission=mission,
        meeting=meeting,
        start=start,
        end=start + meeting.duration,
        people=attendees(mission, meeting),
        **extra,
    )


def organizer_recipient(mission: Mission) -> Recipient:
    o = mission.organizer
    return Recipient(
        name=o.name, email=o.email, language=o.language, timezone=mission.timezone, kind="coordinator"
    )


class TimedMail:
    """The real `TimedMessages`."""

    def reminder(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        recipient: Recipient,
        key: str,
        now: datetime,
    ) -> Envelope:
        """The mail package's reminder letter, in the recipient's language and zone, with the video link."""
        interpreter = "interpreter" in mission.meeting(meeting_id).resources
        letter = _letter("reminder", mission, meeting_id, start, interpreter=interpreter)
        return _with_id(compose(letter, _reader(recipient), now=now), message_id(mission, "reminder", key))

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
    ) -> Envelope:
        """The follow-up letter with the meeting's action items (`Owner: text (due …)`)."""
        items = tuple(item_line(mission, a, recipient.language) for a in action_items)
        letter = _letter("follow_up", mission, meeting_id, start, action_items=items)
        return _with_id(compose(letter, _reader(recipient), now=now), message_id(mission, "follow-up", key))

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
    ) -> Envelope:
        """A short reminder to answer the booking request (the link is in that email; we keep no copy)."""
        title = mission.meeting(meeting_id).title
        tz = recipient.timezone
        en = (
            f"Dear {recipient.name},\n\n"
            f"On {timefmt.local_moment(sent_at, tz, 'en', with_year=True)} we sent you a booking request for "
            f'"{title}". We have not heard back yet.\n\n'
            "Please open the link in that email to pick a time, or to tell us that none of them work. "
            f"The link is valid until {timefmt.local_moment(expires_at, tz, 'en', with_year=True)}.\n\n"
            "If you cannot find the email, just reply to this one.\n\n"
            f"{mission.organizer.name}\n{mission.name}\n"
        )
        subject = f"Reminder: please choose a time for {title}"
        if timefmt.language_of(recipient.language) == "ja":
            ja = (
                f"{recipient.name} 様\n\n"
                f"{timefmt.local_moment(sent_at, tz, 'ja', with_year=True)}に"
                f"「{title}」の日程調整のご依頼をお送りしましたが、"
                "まだご回答をいただいておりません。\n\n"
                "そのメールのリンクから、ご都合のよい日時をお選びいただくか、いずれも難しい旨をお知らせください。"
                f"リンクの有効期限は{timefmt.local_moment(expires_at, tz, 'ja', with_year=True)}です。\n\n"
                f"メールが見当たらない場合は、このメールにご返信ください。\n\n{mission.organizer.name}\n{mission.name}\n"
            )
            en = ja + "\n" + "-" * 60 + "\n(English below / 以下、英文)\n\n" + en
            subject = f"【ご確認のお願い】{title} の日程 / {subject}"
        return plain_letter(mission, recipient, subject, en, message_id(mission, "nudge", key), now)

    def action_reminder(
        self,
        mission: Mission,
        item: ActionItem,
        *,
        recipient: Recipient,
        overdue: bool,
        key: str,
        now: datetime,
    ) -> Envelope:
        """To the item's owner, in their language: due today, or (the morning after) overdue."""
        subject, text = reminder_text(mission, item, recipient.name, recipient.language, overdue=overdue)
        # Short kinds keep the Message-ID header within 78 columns (a longer one gets folded).
        kind = "overdue" if overdue else "todo"
        return plain_letter(mission, recipient, subject, text, message_id(mission, kind, key), now)

    def expiry_notice(
        self, mission: Mission, meeting_id: str, *, expired_at: datetime, key: str, now: datetime
    ) -> Envelope:
        """To the coordinator: a booking request expired unanswered; its times were released."""
        meeting = mission.meeting(meeting_id)
        when = timefmt.local_moment(expired_at, mission.timezone, "en", with_year=True)
        text = (
            f'The booking request for "{meeting.title}" ({meeting.id}) expired on {when} without an answer.\n'
            "The times it offered are free again. Offer a fresh set of times,"
            " or reach the counterpart another way.\n"
        )
        subject = f"Booking request expired: {meeting.title}"
        return plain_letter(
            mission, organizer_recipient(mission), subject, text, message_id(mission, "expiry", key), now
        )

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
        """To the coordinator: what needs attention, what changed since the last digest, what is due in
        the next day, and the busy calendars that stay failing (their last good copy is in use)."""
        tz = mission.timezone

        def at(instant: datetime) -> str:
            return timefmt.local_moment(instant, tz, "en")

        lines = [f"{mission.name}: daily digest, {timefmt.local_moment(now, tz, 'en', with_year=True)}", ""]
        waiting = [a for a in attention if a.resolved_at is None]
        lines.append(f"Needs your attention ({len(waiting)} open):")
        for a in attention:
            state = "open" if a.resolved_at is None else f"resolved: {a.resolution}"
            note = f' (their note: "{one_line(a.note)}")' if a.note else ""
            lines.append(f"- {at(a.created_at)}: [{a.kind}] {a.summary}{note} ({state})")
        if not attention:
            lines.append("- nothing")
        lines.append("")
        lines.append(f"What changed since {at(since)}:")
        for when, what, meeting_id, start in changes:
            tail = f" (meeting at {at(start)})" if start else ""
            lines.append(f"- {at(when)}: {meeting_id} {what}{tail}")
        if not changes:
            lines.append("- nothing")
        lines += ["", "Due in the next 24 hours:"]
        for d in upcoming:
            who = f" to {d.recipient.email}" if d.recipient else ""
            detail = f" {d.detail}" if d.detail else ""
            lines.append(f"- {at(d.due_at)}: {d.kind.replace('_', '-')}{detail} {d.meeting_id}{who}")
        if not upcoming:
            lines.append("- nothing")
        if stale:
            lines += ["", "Calendars that cannot be read (their last good copy is used):"]
            for who, source, error, failing_since in stale:
                lines.append(f"- {who}: {redact(source)}: {error} (failing since {at(failing_since)})")
        subject = f"Daily digest: {len(waiting)} need attention, {len(changes)} changes, {len(upcoming)} due"
        return plain_letter(
            mission,
            organizer_recipient(mission),
            subject,
            "\n".join(lines) + "\n",
            message_id(mission, "digest", key),
            now,
        )


__all__ = ["TimedMail", "message_id"]
