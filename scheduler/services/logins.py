"""Logging in without letting anyone guess: the throttle on failed logins, and page sessions.

Every password check (the login page and the API's token exchange) goes through `login`.
It is counted as a failure *before* the password is checked, in one transaction that locks
the counts of the account and of the client's address, and taken back when the password
was right. Two processes (or threads) guessing at once therefore always see each other's
failures: the counts live in the database, not in a process (`core.throttle` has the rule).

A page session is a random value in an HttpOnly cookie; only its sha256 is stored, with its
user, its last use and its absolute end. Logging out or changing the password deletes the row,
so the old cookie stops working at once; a session unused for `idle` or older than
`absolute` ends too.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.core.throttle import Attempts, ThrottleRule, after_failure, forgive, refusal
from scheduler.errors import ConfigError, Throttled
from scheduler.services.accounts import AccountUnitOfWork, User, authenticate, normalise_email
from scheduler.services.context import Services, token_hash

# An account has 3 free tries, then waits 1 s, 2 s, 4 s … and is locked for 15 minutes at 10.
ACCOUNT_RULE = ThrottleRule(free=3, lock_after=10, lock_for=timedelta(minutes=15))
# An address may be an office behind one NAT: more room, but a spray over accounts still stops.
ADDRESS_RULE = ThrottleRule(free=20, max_delay=timedelta(seconds=30), lock_after=100)


def _units(services: Services) -> Callable[[], AbstractContextManager[AccountUnitOfWork]]:
    return services.uow  # type: ignore[return-value]  # the web's unit of work has the account methods


def _keys(email: str, address: str) -> dict[str, ThrottleRule]:
    try:
        account = normalise_email(email)
    except ConfigError:
        account = email.strip().lower()[:320]
    return {f"account:{account}": ACCOUNT_RULE, f"address:{address[:64]}": ADDRESS_RULE}


def login(services: Services, email: str, password: str, *, address: str) -> User | None:
    """The user when the password is right and neither key is slowed down or locked, else None.

    Raises `Throttled` (with the seconds to wait) without checking the password while the
    account or the address must wait: during a lock even the right password is refused.
    """
    keys = _keys(email, address)
    now = services.clock.now()
    with _units(services)() as uow:
        states = uow.lock_throttle(list(keys))
        waits = [w for k, rule in keys.items() if (w := refusal(states[k], rule, now)) is not None]
        if waits:
            raise Throttled(math.ceil(max(waits).total_seconds()))
        for key, rule in keys.items():
            uow.save_throttle(key, after_failure(states[key], rule, now))
    user = authenticate(services, email, password)
    if user is not None:
        with _units(services)() as uow:
            states = uow.lock_throttle(list(keys))
            account, address_key = list(keys)
            uow.save_throttle(account, Attempts())  # the account starts afresh
            uow.save_throttle(address_key, forgive(states[address_key]))
    return user


@dataclass(frozen=True, kw_only=True)
class SessionRule:
    """A session ends `idle` after its last use, and `absolute` after it began, whichever is first."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)


def start_session(services: Services, user_id: int, rule: SessionRule) -> str:
    """A new session for the user: the cookie's value (random; only its sha256 is stored)."""
    value = secrets.token_urlsafe(32)
    now = services.clock.now()
    with _units(services)() as uow:
        uow.add_session(token_hash(value), user_id, now=now, expires_at=now + rule.absolute)
    return value


def session_user(services: Services, value: str, rule: SessionRule) -> User | None:
    """The user of a live session, else None (an idle or expired session is deleted)."""
    if not value or len(value) > 200:
        return None
    key = token_hash(value)
    now: datetime = services.clock.now()
    with _units(services)() as uow:
        found = uow.session_info(key)
        if found is None:
            return None
        if now >= found.expires_at or now - found.last_seen_at >= rule.idle:
            uow.end_session(key)
            return None
        # To the minute is enough for the idle limit, and spares a write per request.
        if now - found.last_seen_at >= timedelta(minutes=1):
            uow.touch_session(key, now=now)
    return User(id=found.user_id, email=found.email)


def end_session(services: Services, value: str) -> None:
    """Log out: the session's row goes, so its cookie no longer opens anything."""
    if value:
        with _units(services)() as uow:
            uow.end_session(token_hash(value))


__all__ = [
    "ACCOUNT_RULE",
    "ADDRESS_RULE",
    "SessionRule",
    "end_session",
    "login",
    "session_user",
    "start_session",
]
