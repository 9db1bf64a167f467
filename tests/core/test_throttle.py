"""The login throttle's rule on values: free tries, growing waits, a lock, forgetting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.core.throttle import Attempts, ThrottleRule, after_failure, delay, forgive, refusal

T0 = datetime(2027, 1, 25, 12, 0, tzinfo=UTC)
RULE = ThrottleRule(free=3, lock_after=10, lock_for=timedelta(minutes=15))


def test_the_first_failures_are_free_then_each_wait_doubles() -> None:
    assert [delay(n, RULE).total_seconds() for n in range(1, 9)] == [0, 0, 1, 2, 4, 8, 16, 32]
    assert delay(40, RULE) == RULE.max_delay


def test_an_attempt_inside_the_wait_is_refused_and_after_it_goes_through() -> None:
    state = Attempts()
    for _ in range(4):
        state = after_failure(state, RULE, T0)
    assert refusal(state, RULE, T0) == timedelta(seconds=2)
    assert refusal(state, RULE, T0 + timedelta(seconds=1)) == timedelta(seconds=1)
    assert refusal(state, RULE, T0 + timedelta(seconds=2)) is None


def test_the_tenth_failure_locks_the_key_for_fifteen_minutes() -> None:
    state, now = Attempts(), T0
    for _ in range(10):
        assert refusal(state, RULE, now) is None
        state = after_failure(state, RULE, now)
        now += RULE.max_delay
    assert state.locked_until == now - RULE.max_delay + timedelta(minutes=15)
    assert refusal(state, RULE, now) == state.locked_until - now
    assert refusal(state, RULE, state.locked_until) is None


def test_old_failures_are_forgotten() -> None:
    state = Attempts()
    for _ in range(6):
        state = after_failure(state, RULE, T0)
    later = T0 + RULE.forget_after
    assert refusal(state, RULE, later) is None
    assert after_failure(state, RULE, later).failures == 1


def test_forgiving_takes_one_failure_back_but_never_a_lock() -> None:
    assert forgive(Attempts(failures=2, last_failure=T0)).failures == 1
    locked = Attempts(failures=10, last_failure=T0, locked_until=T0 + timedelta(minutes=15))
    assert forgive(locked) == locked
