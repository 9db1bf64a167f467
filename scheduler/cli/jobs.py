"""`scheduler jobs`: what timed work is due next and what ran; `--run-once` does one pass now.

    scheduler jobs                      # the next 20 due, the last 20 finished, counts (after a sweep)
    scheduler jobs --run-once           # sweep, do the due work, deliver the outbox, then print
    scheduler jobs --run-once --now 2027-02-03T00:00:00+00:00   # as if it were that time

`--run-once` is also a worker: several of them (or several `scheduler serve`) on one
PostgreSQL share the work, each row claimed by one of them.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from scheduler.core.timing import DueItem
from scheduler.errors import ConfigError, Problem
from scheduler.ports import Envelope

DB_HELP = "database URL (default: SCHEDULER_DATABASE_URL, else ./var/scheduler.db)"


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError([Problem("--now", f"{text!r} is not an ISO 8601 time")]) from None
    if value.tzinfo is None:
        raise ConfigError([Problem("--now", f"{text!r} has no offset; add one, e.g. +00:00")])
    return value


def _row(d: DueItem) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "due_at": d.due_at.isoformat(),
        "state": d.state,
        "mission": d.mission_id,
        "meeting": d.meeting_id,
        "recipient": d.recipient.email if d.recipient else "",
        "detail": d.detail,
        "finished_at": d.finished_at.isoformat() if d.finished_at else None,
        "outcome": d.outcome,
    }


# Who gets the work without a stored recipient: worked out when it is sent.
_TO = {"nudge": "(the counterpart's contacts)", "expiry": "(the coordinator)"}


def _line(d: DueItem, when: datetime | None) -> str:
    who = d.recipient.email if d.recipient else _TO.get(d.kind, "")
    what = f"{d.kind}{' ' + d.detail if d.detail else ''}"
    stamp = when.strftime("%Y-%m-%d %H:%M UTC") if when else "-"
    tail = f"  {d.state}: {d.outcome}" if d.state != "due" else ""
    return f"  {stamp}  {what:<14} m{d.mission_id} {d.meeting_id:<22} {who}{tail}"


class _Nowhere:
    """The transport of a run that only lists: it is never asked to send."""

    def send(self, envelope: Envelope) -> None:
        raise AssertionError("listing sends nothing")


def cmd_jobs(args: argparse.Namespace) -> int:
    """List due and finished timed work; with --run-once, do one pass first."""
    from scheduler.app.jobs import run_once, service_runtime
    from scheduler.mail.transports import MaildirTransport, SmtpTransport
    from scheduler.ports import FixedClock
    from scheduler.services.timed import overview, sweep
    from scheduler.store import open_store

    store = open_store(args.db)
    try:
        clock = FixedClock(_instant(args.now)) if args.now else None
        # Only a pass needs a transport (a Maildir is created on first use): listing touches nothing.
        transport = (SmtpTransport.from_env() or MaildirTransport(args.maildir)) if args.run_once else None
        runtime = service_runtime(store, transport or _Nowhere(), clock)
        report: dict[str, Any] = {}
        if not args.run_once and not args.now:
            # Bring the table up to date as the service's sweep would (idempotent): a proposal
            # made a minute ago shows its nudge and expiry now, not after the next sweep.
            sweep(runtime.services)
        if args.run_once:
            done = run_once(runtime)
            report = {
                "added": done.added,
                "done": len(done.run.done),
                "dropped": len(done.run.dropped),
                "cancelled": len(done.run.cancelled),
                "failed": len(done.run.failed),
                "queued": len(done.run.messages),
                "sent": len(done.delivered.sent),
                "retrying": len(done.delivered.retrying),
                "undeliverable": len(done.delivered.failed),
                "webhooks_sent": len(done.webhooks.sent),
                "webhooks_retrying": len(done.webhooks.retrying),
                "webhooks_failed": len(done.webhooks.failed),
            }
        view = overview(runtime.services, limit=args.limit)
    finally:
        store.close()
    if args.json:
        out = {
            "run": report,
            "counts": view.counts,
            "due": [_row(d) for d in view.pending],
            "ran": [_row(d) for d in view.finished],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if report:
        print("ran: " + ", ".join(f"{k} {v}" for k, v in report.items()))
    print("counts: " + ", ".join(f"{k} {v}" for k, v in view.counts.items()))
    print(f"due next ({len(view.pending)}):")
    for d in view.pending:
        print(_line(d, d.due_at))
    print(f"ran lately ({len(view.finished)}):")
    for d in view.finished:
        print(_line(d, d.finished_at))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `jobs` on the `scheduler` parser."""
    text = "timed work: what is due next and what ran; --run-once does one pass now"
    p = sub.add_parser("jobs", help=text, description=text)
    p.add_argument("--db", default=None, help=DB_HELP)
    p.add_argument(
        "--run-once", action="store_true", help="sweep, do the due work, deliver the outbox, then list"
    )
    p.add_argument("--now", help="the time of the pass, ISO 8601 with offset (default: the clock)")
    p.add_argument("--limit", type=int, default=20, help="how many rows of each list (default 20)")
    p.add_argument("--maildir", type=Path, default=Path("var/maildir"), help="Maildir when SMTP is not set")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_jobs)


__all__ = ["add_commands", "cmd_jobs"]
