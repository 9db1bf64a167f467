"""How failed logins slow down and then lock a key (an account or a client address).

Pure: the state of one key and the clock come in, a verdict or the next state goes out. The
store keeps the state (so every process sees the same counts) and the service applies it.

    rule = ThrottleRule(free=3, lock_after=10, lock_for=timedelta(minutes=15))
    wait = refusal(state, rule, now)      # None: let this attempt through
    state = after_failure(state, rule, now)

A key has `free` failures without delay; after that each attempt must wait twice as long
as the one before (1 s, 2 s, 4 s … up to `max_delay`) after the last failure; at `lock_after`
failures the key is locked for `lock_for`, and during the lock nothing gets through, not even
the right password. Failures older than `forget_after` are forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, kw_only=True)
class ThrottleRule:
    free: int = 3
    max_delay: timedelta = timedelta(seconds=60)
    lock_after: int = 10
    lock_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True, kw_only=True)
class Attempts:
    """The failed attempts of one key: how many, the last one, and the lock if any."""

    failures: int = 0
    last_failure: datetime | None = None
    locked_until: datetime | None = None


def current(state: Attempts, rule: ThrottleRule, now: datetime) -> Attempts:
    """`state` with old failures forgotten and an ended lock lifted."""
    if state.locked_until is not None and state.locked_until <= now:
        return Attempts()
    if state.last_failure is not None and now - state.last_failure >= rule.forget_after:
        return Attempts()
    return state


def delay(failures: int, rule: ThrottleRule) -> timedelta:
    """How long after the last failure the next attempt must wait (zero while failures are free)."""
    extra = failures - rule.free
    if extra < 0:
        return timedelta(0)
    return min(rule.max_delay, timedelta(seconds=2 ** min(extra, 30)))


def refusal(state: Attempts, rule: ThrottleRule, now: datetime) -> timedelta | None:
    """How long the caller must wait before trying again, or None when this attempt may go on."""
    state = current(state, rule, now)
    if state.locked_until is not None:
        return state.locked_until - now
    if state.last_failure is None:
        return None
    ready = state.last_failure + delay(state.failures, rule)
    return ready - now if ready > now else None


def after_failure(state: Attempts, rule: ThrottleRule, now: datetime) -> Attempts:
    """The state after one more failure at `now` (locked once `lock_after` failures are reached)."""
    state = current(state, rule, now)
    failures = state.failures + 1
    locked = now + rule.lock_for if failures >= rule.lock_after else None
    return Attempts(failures=failures, last_failure=now, locked_until=locked)


def forgive(state: Attempts) -> Attempts:
    """The state with one failure taken back (a login counted first, then found right)."""
    if state.locked_until is not None:
        return state
    return Attempts(failures=max(0, state.failures - 1), last_failure=state.last_failure)


__all__ = ["Attempts", "ThrottleRule", "after_failure", "current", "delay", "forgive", "refusal"]
