"""The `scheduler` command. Thin: parse the arguments, call the program, print the answer.

This is the only place that maps errors to exit codes: bad input (a `ConfigError`) prints one
line per problem on stderr and exits 2; a missing id exits 2 as well; success exits 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scheduler.errors import ConfigError, NotFound, SchedulerError

DEFAULT_CONFIG = Path("config.toml")


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config", nargs="?", type=Path, default=DEFAULT_CONFIG, help="mission file (default ./config.toml)"
    )


# --- commands: each parses nothing itself and returns an exit code -----------------------------
def cmd_check(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler check` is not built yet")


def cmd_overlap(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler overlap` is not built yet")


def cmd_find(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler find` is not built yet")


def cmd_plan(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler plan` is not built yet")


def cmd_invite(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler invite` is not built yet")


def cmd_outbox(args: argparse.Namespace) -> int:
    raise SchedulerError("`scheduler outbox` is not built yet")


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

    _config_arg(add("check", cmd_check, "validate the mission file"))
    _config_arg(add("overlap", cmd_overlap, "each day's common windows in every zone involved"))

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

    add("outbox", cmd_outbox, "list queued, sent and failed messages")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
