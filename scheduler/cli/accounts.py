"""`scheduler user …` and `scheduler member …`: coordinator accounts, their API tokens, mission members.

    scheduler user add EMAIL [--password-stdin] [--token] [--mission ID --role editor]
    scheduler user password EMAIL [--password-stdin]        (ends every page session of the account)
    scheduler user token create EMAIL --name NAME [--days 90]
    scheduler user token list EMAIL
    scheduler user token revoke EMAIL TOKEN_ID
    scheduler member add MISSION_ID EMAIL --role owner|editor|viewer
    scheduler member list MISSION_ID
    scheduler member remove MISSION_ID EMAIL

The command line is the operator's: it is not checked against mission membership.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC

from scheduler.core.access import ROLES
from scheduler.errors import ConfigError, NotFound
from scheduler.services.context import Services

DB_HELP = "database URL (default SCHEDULER_DATABASE_URL or var/scheduler.db)"


@contextmanager
def _services(database: str | None) -> Iterator[Services]:
    from scheduler.store import open_store
    from scheduler.web import WebSettings, build_services
    from scheduler.web.deps import acting_as

    store = open_store(database)
    try:
        # The audit trail names the command line as the one who changed memberships.
        yield acting_as(build_services(store, WebSettings(database_url=database)), "command line")
    finally:
        store.close()


def _user_id(services: Services, email: str) -> int:
    from scheduler.services.accounts import normalise_email

    with services.uow() as uow:
        found = uow.user_by_email(normalise_email(email))  # type: ignore[attr-defined]
    if found is None:
        raise NotFound(f"there is no account for {email}")
    return int(found[0])


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise ConfigError("the two passwords differ", "password")
    return password


def cmd_user_add(args: argparse.Namespace) -> int:
    from scheduler.services.accounts import add_user, issue_api_token
    from scheduler.services.members import set_member

    if (args.mission is None) != (args.role is None):
        raise ConfigError("--mission and --role go together", "--role")
    password = _password(args)
    with _services(args.database) as services:
        if args.mission is not None:
            from scheduler.services import export_mission

            export_mission(services, args.mission)  # NotFound before the account is created
        user = add_user(services, args.email, password)
        print(f"created account {user.email}")
        if args.mission is not None:
            set_member(services, args.mission, user.email, args.role)
            print(f"{user.email} is {args.role} of mission {args.mission}")
        if args.token:
            print(f"API token (shown once): {issue_api_token(services, user.id, name='command line')}")
    return 0


def cmd_user_password(args: argparse.Namespace) -> int:
    from scheduler.services.accounts import change_password

    password = _password(args)
    with _services(args.database) as services:
        ended = change_password(services, _user_id(services, args.email), password)
    print(f"password changed for {args.email}; {ended} session(s) ended")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from scheduler.services.accounts import issue_api_token

    with _services(args.database) as services:
        token = issue_api_token(services, _user_id(services, args.email), name=args.name, days=args.days)
    print(f"API token {args.name!r} for {args.email}, valid {args.days} days (shown once): {token}")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from scheduler.services.accounts import api_tokens

    with _services(args.database) as services:
        now = services.clock.now()
        tokens = api_tokens(services, _user_id(services, args.email))
    print(f"{'id':>4}  {'name':<24} {'expires (UTC)':<17} {'last used (UTC)':<17} state")
    for t in tokens:
        state = "revoked" if t.revoked_at else ("expired" if t.expires_at <= now else "live")
        used = t.last_used_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
        print(
            f"{t.id:>4}  {t.name[:24]:<24} {t.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} {used:<17} {state}"
        )
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from scheduler.services.accounts import revoke_api_token

    with _services(args.database) as services:
        revoke_api_token(services, _user_id(services, args.email), args.token_id)
    print(f"token {args.token_id} of {args.email} revoked")
    return 0


def cmd_member_add(args: argparse.Namespace) -> int:
    from scheduler.services.members import set_member

    with _services(args.database) as services:
        member = set_member(services, args.mission_id, args.email, args.role)
    print(f"{member.email} is {member.role} of mission {args.mission_id}")
    return 0


def cmd_member_list(args: argparse.Namespace) -> int:
    from scheduler.services import export_mission
    from scheduler.services.members import members

    with _services(args.database) as services:
        export_mission(services, args.mission_id)  # NotFound for a mission that is not there
        for m in members(services, args.mission_id):
            print(f"{m.role:<7} {m.email}")
    return 0


def cmd_member_remove(args: argparse.Namespace) -> int:
    from scheduler.services.members import remove_member

    with _services(args.database) as services:
        remove_member(services, args.mission_id, _user_id(services, args.email))
    print(f"{args.email} is no longer a member of mission {args.mission_id}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `user` and `member` on the `scheduler` parser."""

    def command(
        group: argparse._SubParsersAction,  # type: ignore[type-arg]
        name: str,
        func: Callable[[argparse.Namespace], int],
        text: str,
    ) -> argparse.ArgumentParser:
        q = group.add_parser(name, help=text, description=text)
        q.add_argument("--db", dest="database", default=None, help=DB_HELP)
        q.set_defaults(func=func)
        return q  # type: ignore[no-any-return]

    def password_stdin(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--password-stdin", action="store_true", help="read the password from the first line of stdin"
        )

    text = "coordinator accounts and their API tokens"
    users = sub.add_parser("user", help=text, description=text).add_subparsers(
        dest="user_command", required=True
    )
    q = command(users, "add", cmd_user_add, "create a coordinator account")
    q.add_argument("email")
    password_stdin(q)
    q.add_argument("--token", action="store_true", help="also create and print an API token")
    q.add_argument("--mission", type=int, default=None, metavar="ID", help="make the account a member of it")
    q.add_argument("--role", choices=ROLES, default=None, help="their role in --mission")
    q = command(users, "password", cmd_user_password, "set a new password; ends the account's page sessions")
    q.add_argument("email")
    password_stdin(q)
    text = "the account's API tokens: create, list, revoke"
    tokens = users.add_parser("token", help=text, description=text).add_subparsers(
        dest="token_command", required=True
    )
    q = command(tokens, "create", cmd_token_create, "a new named token with an expiry (shown once)")
    q.add_argument("email")
    q.add_argument("--name", required=True, help="what the token is for, to recognise it in the list")
    q.add_argument("--days", type=int, default=90, help="days until it expires (1-366, default 90)")
    q = command(tokens, "list", cmd_token_list, "the account's tokens (never the tokens themselves)")
    q.add_argument("email")
    q = command(tokens, "revoke", cmd_token_revoke, "revoke a token at once")
    q.add_argument("email")
    q.add_argument("token_id", type=int, metavar="TOKEN_ID", help="the id `scheduler user token list` shows")

    text = "who belongs to a mission, with which role"
    group = sub.add_parser("member", help=text, description=text).add_subparsers(
        dest="member_command", required=True
    )
    q = command(group, "add", cmd_member_add, "add an account to a mission, or change its role")
    q.add_argument("mission_id", type=int, metavar="MISSION_ID")
    q.add_argument("email")
    q.add_argument("--role", choices=ROLES, required=True)
    q = command(group, "list", cmd_member_list, "the mission's members")
    q.add_argument("mission_id", type=int, metavar="MISSION_ID")
    q = command(group, "remove", cmd_member_remove, "take an account out of a mission")
    q.add_argument("mission_id", type=int, metavar="MISSION_ID")
    q.add_argument("email")


__all__ = ["add_commands"]
