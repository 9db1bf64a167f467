"""The `scheduler` command. Thin: parse the arguments, call the program, print the answer.

This is the only place that maps errors to exit codes: bad input (a `ConfigError`) prints one
line per problem on stderr and exits 2; a missing id exits 2 as well; success exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.errors import ConfigError, NotFound, SchedulerError

if TYPE_CHECKING:
    from scheduler.store import Store

DEFAULT_CONFIG = Path("config.toml")
OUTBOX = Path("var/outbox")


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config", nargs="?", type=Path, default=DEFAULT_CONFIG, help="mission file (default ./config.toml)"
    )


# --- commands: each parses nothing itself and returns an exit code -----------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from scheduler.core.hours import format_duration
    from scheduler.mission.reader import load_mission

    # A ConfigError lists every problem and exits 2 (main); --strict also refuses a calendar
    # with a broken event, which is otherwise skipped with a warning.
    mission = load_mission(args.config, strict_calendars=args.strict)
    zones = sorted({mission.timezone} | {p.timezone for p in mission.participants})
    calendars = sum(len(p.busy_sources) for p in mission.participants)
    busy = sum(len(p.busy) for p in mission.participants)
    resources = ", ".join(f"{name} {n}" for name, n in mission.resources.items()) or "none"
    print(f"{args.config}: ok")
    print(f"  mission    {mission.name}")
    print(
        f"  window     {mission.start:%a %d %b %Y} to {mission.end:%a %d %b %Y} ({mission.timezone}), "
        f"step {format_duration(mission.step)}, buffer {format_duration(mission.buffer)}"
    )
    print(f"  people     {len(mission.delegates)} delegates, {len(mission.counterparts)} counterparts")
    print(f"  zones      {', '.join(zones)}")
    print(f"  meetings   {len(mission.meetings)}")
    print(f"  resources  {resources}")
    print(f"  calendars  {calendars} ({busy} busy spans read)")
    return 0


def cmd_overlap(args: argparse.Namespace) -> int:
    from scheduler.cli import slots as cli_slots
    from scheduler.core.overlap import common_windows, mission_overlaps
    from scheduler.mission.reader import load_mission

    mission = load_mission(args.config)
    if args.with_:
        ids = [pid.strip() for pid in args.with_.split(",") if pid.strip()]
        known = {p.id for p in mission.participants}
        unknown = [pid for pid in ids if pid not in known]
        if unknown:
            raise NotFound(f"no delegate or counterpart {', '.join(map(repr, unknown))} in {args.config}")
        overlaps = [common_windows(mission, ids)]
    else:
        overlaps = mission_overlaps(mission)
    print(cli_slots.overlap_json(overlaps) if args.json else cli_slots.overlap_text(overlaps))
    return 0


def cmd_find(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from scheduler.cli import slots as cli_slots
    from scheduler.core.slots import find_slots
    from scheduler.mission.reader import load_mission

    if args.top < 0:
        raise ConfigError(f"give 0 (all slots) or a positive number, not {args.top}", "--top")
    mission = load_mission(args.config)
    search = find_slots(mission, args.meeting)
    total = len(search.slots)
    if args.top:
        search = replace(search, slots=search.slots[: args.top])
    print(cli_slots.search_json(search) if args.json else cli_slots.search_table(mission, search, total))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from scheduler.cli import plan as cli_plan
    from scheduler.core.planner import plan_mission
    from scheduler.mission.reader import load_mission

    if not args.time_limit > 0:
        raise ConfigError(f"give a positive number of seconds, not {args.time_limit}", "--time-limit")
    mission = load_mission(args.config)
    progress = cli_plan.progress_printer(sys.stderr) if sys.stderr.isatty() else None
    plan = plan_mission(mission, time_limit=args.time_limit, on_progress=progress)
    if progress is not None:
        print(file=sys.stderr)  # end the progress line
    print(cli_plan.plan_json(plan) if args.json else cli_plan.plan_text(mission, plan))
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    from scheduler.cli import mail as cli_mail

    now = cli_mail.parse_now(args.now)
    outbox_dir = None if args.no_outbox else args.outbox
    print(cli_mail.invite(args.config, args.out, outbox_dir=outbox_dir, time_limit=args.time_limit, now=now))
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from scheduler.cli import mail as cli_mail

    now = cli_mail.parse_now(args.now)
    print(
        cli_mail.outbox(
            args.dir,
            deliver=args.deliver,
            now=now,
            maildir=args.maildir,
            retry=args.retry,
            as_json=args.json,
            db=args.db,
        )
    )
    return 0


DB_HELP = "database URL (default: SCHEDULER_DATABASE_URL, else ./var/scheduler.db)"


def cmd_import(args: argparse.Namespace) -> int:
    """Store the mission file in the database (created and migrated on first use); print its id."""
    from scheduler.mission.reader import load_mission
    from scheduler.ports import SystemClock
    from scheduler.services import Services, import_mission
    from scheduler.store import open_store, shown_url

    mission = load_mission(args.config)
    store = open_store(args.db)
    try:
        services = Services(uow=partial(store.unit_of_work, actor="command line"), clock=SystemClock())
        owner = _account_id(store, args.owner) if args.owner else None
        mission_id = import_mission(services, mission, source=str(args.config.resolve()), owner=owner)
    finally:
        store.close()
    print(f"imported {mission.name!r} as mission {mission_id} into {shown_url(args.db)}")
    if owner is None:
        print(f"no coordinator sees it on the web yet: scheduler member add {mission_id} EMAIL --role owner")
    return 0


def _account_id(store: Store, email: str) -> int:
    from scheduler.services.accounts import normalise_email
    from scheduler.store.editing import AppUnitOfWork

    with store.unit_of_work() as uow:
        found = AppUnitOfWork(uow.session).user_by_email(normalise_email(email))
    if found is None:
        raise ConfigError(f"there is no account for {email}: create it first (scheduler user add)", "--owner")
    return found[0]


def cmd_export(args: argparse.Namespace) -> int:
    """Write a stored mission back as a mission file (stdout, or --out FILE)."""
    from scheduler.mission.writer import dump_mission, rebase_sources
    from scheduler.ports import SystemClock
    from scheduler.services import Services, export_mission, mission_source
    from scheduler.store import open_store

    store = open_store(args.db)
    try:
        services = Services(uow=store.unit_of_work, clock=SystemClock())
        mission = export_mission(services, args.mission_id)
        source = mission_source(services, args.mission_id)
    finally:
        store.close()
    if args.audit is not None:
        _write_audit(args.db, args.mission_id, args.audit)
    if args.out is None:
        sys.stdout.write(dump_mission(mission))
        return 0
    if source:  # relative calendar paths were relative to the imported file: keep them pointing there
        mission = rebase_sources(mission, Path(source).parent, args.out.resolve().parent)
    args.out.write_text(dump_mission(mission), encoding="utf-8")
    print(f"wrote mission {args.mission_id} to {args.out}")
    return 0


def _write_audit(url: str | None, mission_id: int, path: Path) -> None:
    """The mission's audit trail as CSV (the columns of GET /api/missions/{id}/audit?format=csv)."""
    from scheduler.store import open_store
    from scheduler.web.routes.members import audit_csv

    store = open_store(url)
    try:
        with store.unit_of_work(write=False) as uow:
            entries = uow.audit(mission_id)
    finally:
        store.close()
    path.write_text(audit_csv(entries), encoding="utf-8")
    print(
        f"wrote the audit trail of mission {mission_id} ({len(entries)} changes) to {path}", file=sys.stderr
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scheduler", description="Plan and run a virtual trade mission across time zones."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {}

    def add(name: str, func: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        commands[name] = func
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("check", cmd_check, "validate the mission file")
    _config_arg(p)
    p.add_argument(
        "--strict", action="store_true", help="refuse a calendar with a broken event instead of skipping it"
    )
    p = add("overlap", cmd_overlap, "each day's common windows in every zone involved")
    _config_arg(p)
    p.add_argument(
        "--with", dest="with_", default="", help="participant ids, comma-separated (default: each meeting's)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = add("find", cmd_find, "ranked slots for one meeting")
    _config_arg(p)
    p.add_argument("--meeting", required=True, help="meeting id")
    p.add_argument("--top", type=int, default=5, help="how many slots (0 = all, best first)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = add("plan", cmd_plan, "plan the whole itinerary at once")
    _config_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds the solver may take")

    p = add("invite", cmd_invite, "plan the mission and write every invitation (.eml and .ics)")
    _config_arg(p)
    p.add_argument("--out", type=Path, required=True, help="folder for the files")
    p.add_argument("--outbox", type=Path, default=OUTBOX, help="outbox folder (default ./var/outbox)")
    p.add_argument("--no-outbox", action="store_true", help="only write the files; queue nothing")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds the solver may take")
    p.add_argument("--now", help="the sending time, ISO 8601 with offset (default: the clock)")

    p = add("outbox", cmd_outbox, "list queued, sent and failed messages; --deliver sends what is due")
    p.add_argument("--dir", type=Path, default=OUTBOX, help="outbox folder (default ./var/outbox)")
    p.add_argument(
        "--deliver",
        action="store_true",
        help="run one delivery pass: SMTP when SCHEDULER_SMTP_HOST is set, else the Maildir folder",
    )
    p.add_argument("--maildir", type=Path, default=None, help="Maildir folder (default ./var/maildir)")
    p.add_argument("--retry", metavar="MESSAGE_ID", help="put a parked (failed) message back in the queue")
    p.add_argument("--now", help="the time of the pass, ISO 8601 with offset (default: the clock)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--db",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="use the database outbox of the web service and bookings instead of --dir "
        "(URL default: SCHEDULER_DATABASE_URL, else ./var/scheduler.db)",
    )
    p = add("import", cmd_import, "store a mission file in the database; prints the mission id")
    _config_arg(p)
    p.add_argument("--db", default=None, help=DB_HELP)
    p.add_argument("--owner", default=None, metavar="EMAIL", help="the account that owns the mission")
    p = add("export", cmd_export, "write a stored mission back as a mission file")
    p.add_argument("mission_id", type=int, metavar="MISSION_ID", help="the id `scheduler import` printed")
    p.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    p.add_argument("--db", default=None, help=DB_HELP)
    p.add_argument("--audit", type=Path, default=None, metavar="CSV", help="also write the audit trail there")

    from scheduler.cli.web import add_commands  # serve, demo (the web service)

    add_commands(sub, _config_arg)
    from scheduler.cli.accounts import add_commands as add_accounts  # user, member (issue 12)

    add_accounts(sub)
    from scheduler.cli.jobs import add_commands as add_jobs  # scheduler jobs (timed work)

    add_jobs(sub)
    from scheduler.cli.report import add_commands as add_report  # scheduler report (issue 17)

    add_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SchedulerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`scheduler find ... | head`): stop quietly, as the Python docs
        # advise, pointing stdout at devnull so the interpreter's final flush does not fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
