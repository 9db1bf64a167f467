"""`scheduler report MISSION --format pdf|csv|xlsx [--out FILE]`: the mission report for council.

Reads the stored mission (`scheduler import` printed its id) as it stands now and writes the
report (`scheduler.report`). Bad input (a mission id that is not a number, an unknown format,
a mission that does not exist) is one line on stderr and exit status 2 (`cli.main`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scheduler.errors import ConfigError

FORMATS = ("pdf", "csv", "xlsx")
DB_HELP = "database URL (default: SCHEDULER_DATABASE_URL, else ./var/scheduler.db)"


def cmd_report(args: argparse.Namespace) -> int:
    from scheduler.ports import SystemClock
    from scheduler.report import render
    from scheduler.services import Services
    from scheduler.services.report import mission_report
    from scheduler.store import open_store

    if not str(args.mission).isdigit():
        raise ConfigError(
            f"{args.mission!r} is not a mission id (a number, as `scheduler import` printed)", "MISSION"
        )
    fmt = str(args.format).lower()
    if fmt not in FORMATS:
        raise ConfigError(f"{args.format!r} is not one of {', '.join(FORMATS)}", "--format")
    mission_id = int(args.mission)
    store = open_store(args.db)
    try:
        report = mission_report(Services(uow=store.unit_of_work, clock=SystemClock()), mission_id)
    finally:
        store.close()
    out: Path = args.out or Path(f"mission-{mission_id}-report.{fmt}")
    out.write_bytes(render(report, fmt))
    print(f"wrote the report of mission {mission_id} ({len(report.meetings)} meetings) to {out}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `report` on the `scheduler` parser."""
    text = "the mission report for council: every meeting, the action items, the organisations met"
    p = sub.add_parser("report", help=text, description=text)
    p.add_argument("mission", metavar="MISSION", help="the mission id `scheduler import` printed")
    p.add_argument("--format", default="pdf", metavar="pdf|csv|xlsx", help="default pdf")
    p.add_argument("--out", type=Path, default=None, help="file to write (default mission-ID-report.FORMAT)")
    p.add_argument("--db", default=None, help=DB_HELP)
    p.set_defaults(func=cmd_report)


__all__ = ["add_commands", "cmd_report"]
