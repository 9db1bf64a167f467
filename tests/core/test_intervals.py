"""The interval algebra's set laws, property-tested, and the normal form every set keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.intervals import Interval, IntervalSet, intersect_all, union_all

BASE = datetime(2027, 2, 15, tzinfo=UTC)
UNIVERSE = IntervalSet.of(Interval(BASE, BASE + timedelta(minutes=200)))


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


spans = st.tuples(st.integers(0, 200), st.integers(0, 40)).map(
    lambda t: Interval(at(t[0]), at(min(t[0] + t[1], 200)))
)
sets = st.lists(spans, max_size=8).map(IntervalSet)
durations = st.integers(0, 30).map(lambda m: timedelta(minutes=m))


def minutes(s: IntervalSet) -> set[int]:
    """The set as the minutes it covers (every endpoint is a whole minute)."""
    return {
        m
        for a, b in s
        for m in range(int((a - BASE).total_seconds() // 60), int((b - BASE).total_seconds() // 60))
    }


def assert_normal(s: IntervalSet) -> None:
    items = list(s)
    assert all(a < b for a, b in items)
    assert all(items[i].end < items[i + 1].start for i in range(len(items) - 1))  # sorted, apart


@given(sets, sets)
def test_union_and_intersection_commute(a: IntervalSet, b: IntervalSet) -> None:
    assert a | b == b | a
    assert a & b == b & a


@given(sets, sets, sets)
def test_union_and_intersection_associate(a: IntervalSet, b: IntervalSet, c: IntervalSet) -> None:
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)


@given(sets, sets, sets)
def test_intersection_distributes_over_union_and_back(a: IntervalSet, b: IntervalSet, c: IntervalSet) -> None:
    assert a & (b | c) == (a & b) | (a & c)
    assert a | (b & c) == (a | b) & (a | c)


@given(sets, sets)
def test_difference_is_disjoint_from_what_was_removed(a: IntervalSet, b: IntervalSet) -> None:
    assert not ((a - b) & b)
    assert (a - b) | (a & b) == a


@given(sets, sets)
def test_de_morgan_within_a_universe(a: IntervalSet, b: IntervalSet) -> None:
    a, b = a & UNIVERSE, b & UNIVERSE
    assert UNIVERSE - (a | b) == (UNIVERSE - a) & (UNIVERSE - b)
    assert UNIVERSE - (a & b) == (UNIVERSE - a) | (UNIVERSE - b)


@given(sets, sets)
def test_operations_agree_with_sets_of_minutes(a: IntervalSet, b: IntervalSet) -> None:
    assert minutes(a | b) == minutes(a) | minutes(b)
    assert minutes(a & b) == minutes(a) & minutes(b)
    assert minutes(a - b) == minutes(a) - minutes(b)


@given(sets, sets)
def test_every_result_is_in_normal_form(a: IntervalSet, b: IntervalSet) -> None:
    for s in (a, b, a | b, a & b, a - b, union_all([a, b]), intersect_all([b], within=a)):
        assert_normal(s)


def test_touching_spans_join_into_one() -> None:
    s = IntervalSet([Interval(at(0), at(10)), Interval(at(10), at(20))])
    assert list(s) == [Interval(at(0), at(20))]


@settings(max_examples=200)
@given(sets, sets, durations, durations)
def test_without_equals_difference_with_the_widened_set(
    a: IntervalSet, b: IntervalSet, before: timedelta, after: timedelta
) -> None:
    assert a.without(b, before, after) == a - b.expanded(before, after)


@given(sets, spans)
def test_overlapping_returns_exactly_the_spans_that_share_an_instant(s: IntervalSet, probe: Interval) -> None:
    assert s.overlapping(probe) == [iv for iv in s if iv.overlaps(probe)]
