"""`scheduler invite` and `scheduler outbox`: what they do and how they print it (cli/main.py stays thin).

`invite` plans the mission, writes one `.ics` per meeting and one `.eml` per recipient per
meeting into `--out`, plus `feeds/<delegate>.ics`: each delegate's itinerary as one
METHOD:PUBLISH calendar, to import or to put on a web server for subscription (`scheduler serve`
serves live ones of booked meetings). It queues the messages that are news in the file outbox
(unless `--no-outbox`), so `scheduler outbox --deliver` sends them. Re-running it after a change
queues updates (same UID, SEQUENCE + 1) and cancellations; re-running it unchanged queues
nothing. Meetings already sent keep their time when the mission is planned again, unless the
mission file fixes another (`fixed_start`).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from email import policy
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.core.intervals import ensure_utc
from scheduler.errors import ConfigError
from scheduler.mail.compose import envelope
from scheduler.mail.ledger import MeetingLedger
from scheduler.mail.outbox import DEFAULT_DIR, FileOutbox
from scheduler.mail.transports import DEFAULT_MAILDIR, MaildirTransport, SmtpTransport
from scheduler.ports import OutboxEntry, SystemClock, Transport

if TYPE_CHECKING:
    from scheduler.core.models import Mission, Plan
    from scheduler.store.outbox import DbOutbox

_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]+")


def safe_name(text: str) -> str:
    """A file-name-safe form of an id or address: `brown@brampton.example.org` stays as it is."""
    return _UNSAFE.sub("_", text).strip("._") or "_"


def parse_now(value: str | None) -> datetime:
    """`--now` (ISO 8601 with an offset, for reproducible runs and tests) or the system clock."""
    if not value:
        return SystemClock().now()
    try:
        return ensure_utc(datetime.fromisoformat(value.replace("Z", "+00:00")), "--now")
    except ValueError as exc:
        raise ConfigError(f"{value!r}: {exc}; write e.g. 2027-02-01T09:00:00+00:00", "--now") from None


def invite(
    config: Path,
    out: Path,
    *,
    outbox_dir: Path | None = DEFAULT_DIR,
    time_limit: float = 10.0,
    now: datetime,
) -> str:
    """Plan, write the files, queue what is new; return the report to print."""
    from scheduler.core.planner import plan_mission
    from scheduler.messages import invitations
    from scheduler.mission.reader import load_mission

    mission = load_mission(config)
    ledger = MeetingLedger(outbox_dir / "state.json") if outbox_dir else None
    records = ledger.load() if ledger else {}
    plan = plan_mission(mission, fixed=invitations.pinned(records, mission), time_limit=time_limit)
    sent = invitations.changes(mission, plan, records, now=now)

    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    files = queued = 0
    outbox = FileOutbox(outbox_dir) if outbox_dir else None
    for item in sent:
        stem = safe_name(item.meeting_id)
        (out / f"{stem}.ics").write_bytes(item.ics)
        files += 1
        for rcpt, msg in item.messages:
            (out / f"{stem}--{safe_name(rcpt)}.eml").write_bytes(msg.as_bytes(policy=policy.SMTP))
            files += 1
            if outbox and item.changed:
                queued += outbox.enqueue(envelope(msg), now=now)
        state = item.kind if item.changed else "unchanged"
        lines.append(
            f"{item.meeting_id:<24} {state:<13} SEQUENCE {item.sequence}  {len(item.messages)} recipients"
        )
    sequences = {item.meeting_id: item.sequence for item in sent}
    files += _feeds(mission, plan, out / "feeds", now=now, sequences=sequences)
    # The ledger is written only after every message is queued: a kill in between repeats the
    # same messages (same Message-IDs, which the outbox drops) instead of losing them.
    if ledger is not None:
        ledger.save({**records, **{item.uid: item.record for item in sent}})
    for u in plan.unscheduled:
        lines.append(f"{u.meeting_id:<24} not scheduled: {'; '.join(u.reasons)}")
    where = (
        f"; {queued} new message(s) queued in {outbox_dir} (send: scheduler outbox --deliver)"
        if outbox
        else ""
    )
    lines.append(f"wrote {files} file(s) to {out}{where}")
    return "\n".join(lines)


def _feeds(mission: Mission, plan: Plan, folder: Path, *, now: datetime, sequences: dict[str, int]) -> int:
    """Write each delegate's itinerary feed (their planned meetings); return how many files."""
    from scheduler.ical.feed import build_feed

    planned = [(mission.meeting(pm.meeting_id), pm.start) for pm in plan.meetings]
    written = 0
    for d in mission.delegates:
        if any(d.id in m.invited for m, _ in planned):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{safe_name(d.id)}.ics").write_bytes(
                build_feed(mission, d.id, planned, dtstamp=now, sequences=sequences)
            )
            written += 1
    return written


def transport(maildir: Path | None = None) -> Transport:
    """SMTP when `SCHEDULER_SMTP_HOST` is set, else the Maildir folder (default ./var/maildir)."""
    return SmtpTransport.from_env() or MaildirTransport(maildir or DEFAULT_MAILDIR)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def entry_line(e: OutboxEntry) -> str:
    head = f"{e.status:<7} {e.message_id}  to {', '.join(e.recipients)}  {e.subject!r}"
    if e.status == "sent":
        return f"{head}  sent {_when(e.sent_at)}"
    if e.status == "failed":
        return f"{head}  after {e.attempts} attempt(s): {e.last_error}"
    if e.attempts:
        return f"{head}  attempt {e.attempts + 1} at {_when(e.next_attempt)}; last error: {e.last_error}"
    return f"{head}  queued {_when(e.enqueued_at)}"


def entry_json(e: OutboxEntry) -> dict[str, object]:
    return {
        "message_id": e.message_id,
        "status": e.status,
        "recipients": list(e.recipients),
        "subject": e.subject,
        "enqueued_at": e.enqueued_at.isoformat(),
        "attempts": e.attempts,
        "next_attempt": e.next_attempt.isoformat() if e.next_attempt else None,
        "last_error": e.last_error,
        "sent_at": e.sent_at.isoformat() if e.sent_at else None,
    }


def outbox(
    folder: Path,
    *,
    deliver: bool,
    now: datetime,
    maildir: Path | None = None,
    retry: str | None = None,
    as_json: bool = False,
    db: str | None = None,
) -> str:
    """Optionally requeue a parked message and run one delivery pass; then list everything.

    `db` (a database URL, or "" for the default one) uses the database outbox, where the web
    service and the booking use cases queue their messages, instead of the `folder`.
    """
    if db is None:
        return _outbox(FileOutbox(folder), str(folder), deliver, now, maildir, retry, as_json)
    from scheduler.store import open_store, shown_url

    store = open_store(db or None)
    try:
        # shown_url: the listing names the database without its password.
        return _outbox(store.outbox(), shown_url(db or None), deliver, now, maildir, retry, as_json)
    finally:
        store.close()


def _outbox(
    box: FileOutbox | DbOutbox,
    where: str,
    deliver: bool,
    now: datetime,
    maildir: Path | None,
    retry: str | None,
    as_json: bool,
) -> str:
    lines: list[str] = []
    if retry and not box.retry_failed(retry, now=now):
        raise ConfigError(f"no parked message has the Message-ID {retry!r}", "--retry")
    if deliver:
        report = box.deliver(transport(maildir), now=now)
        lines.append(
            f"delivery: {len(report.sent)} sent, {len(report.retrying)} to retry, "
            f"{len(report.failed)} failed, {len(report.waiting)} waiting"
        )
    entries = box.entries()
    if as_json:
        return json.dumps([entry_json(e) for e in entries], ensure_ascii=False, indent=2)
    lines += [entry_line(e) for e in entries]
    counts = {s: sum(e.status == s for e in entries) for s in ("queued", "sent", "failed")}
    lines.append(f"{counts['queued']} queued, {counts['sent']} sent, {counts['failed']} failed in {where}")
    return "\n".join(lines)
