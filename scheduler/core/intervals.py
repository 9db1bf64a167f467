"""Half-open UTC intervals `[start, end)` and sets of them: the algebra everything else uses.

An `IntervalSet` is immutable and always normalised: sorted, disjoint, no empty spans, and
touching spans joined (`[1, 2) ∪ [2, 3) = [1, 3)`). Operations are linear merges of the two
sorted span lists, so the cost grows with the number of spans, never with the length of time.

    >>> from datetime import UTC, datetime
    >>> def at(hour): return datetime(2027, 2, 16, hour, tzinfo=UTC)
    >>> a = IntervalSet.of(Interval(at(1), at(3)))
    >>> b = IntervalSet.of(Interval(at(2), at(4)))
    >>> [(i.start.hour, i.end.hour) for i in a & b]
    [(2, 3)]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple


def ensure_utc(instant: datetime, what: str = "instant") -> datetime:
    """Return `instant` in UTC; reject a naive datetime, whose meaning nobody can know."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} {instant.isoformat()} has no time zone; give an aware datetime")
    return instant.astimezone(UTC)


class Interval(NamedTuple):
    """A half-open span of time `[start, end)` between two aware UTC datetimes."""

    start: datetime
    end: datetime

    @classmethod
    def checked(cls, start: datetime, end: datetime) -> Interval:
        """Build an interval from any aware datetimes, converted to UTC; end must not be before start."""
        start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
        if end < start:
            raise ValueError(f"interval ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        return cls(start, end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """True when the two share some instant (touching half-open spans do not)."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


class IntervalSet:
    """An immutable, normalised set of half-open UTC intervals."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Iterable[Interval | tuple[datetime, datetime]] = ()) -> None:
        starts: list[datetime] = []
        ends: list[datetime] = []
        for start, end in sorted(s for s in spans if s[0] < s[1]):
            if ends and start <= ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        self._starts = starts
        self._ends = ends

    @classmethod
    def of(cls, *spans: Interval) -> IntervalSet:
        return cls(spans)

    @classmethod
    def _normalised(cls, starts: list[datetime], ends: list[datetime]) -> IntervalSet:
        # Trusted constructor for lists already sorted, disjoint and non-touching.
        new = cls.__new__(cls)
        new._starts = starts
        new._ends = ends
        return new

    # --- reading -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Interval]:
        return (Interval(s, e) for s, e in zip(self._starts, self._ends, strict=True))

    def __len__(self) -> int:
        return len(self._starts)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        return self._starts == other._starts and self._ends == other._ends

    def __hash__(self) -> int:
        return hash((tuple(self._starts), tuple(self._ends)))

    def __repr__(self) -> str:
        inner = ", ".join(f"[{s.isoformat()}, {e.isoformat()})" for s, e in self)
        return f"IntervalSet({inner})"

    @property
    def spans(self) -> list[Interval]:
        return list(self)

    @property
    def total(self) -> timedelta:
        return sum((e - s for s, e in zip(self._starts, self._ends, strict=True)), timedelta())

    def contains_instant(self, instant: datetime) -> bool:
        i = bisect_right(self._starts, instant) - 1
        return i >= 0 and instant < self._ends[i]

    def contains(self, interval: Interval) -> bool:
        """True when the whole of `interval` lies inside one span of the set."""
        if interval.start == interval.end:
            return True
        i = bisect_right(self._starts, interval.start) - 1
        return i >= 0 and interval.end <= self._ends[i]

    def overlaps(self, interval: Interval) -> bool:
        """True when some instant of `interval` is in the set."""
        i = bisect_right(self._starts, interval.start) - 1
        if i >= 0 and interval.start < self._ends[i]:
            return True
        j = i + 1
        return j < len(self._starts) and self._starts[j] < interval.end

    def overlapping(self, interval: Interval) -> list[Interval]:
        """The spans of the set that share some instant with `interval`, found by bisection."""
        i = max(bisect_right(self._starts, interval.start) - 1, 0)
        if i < len(self._ends) and self._ends[i] <= interval.start:
            i += 1
        j = bisect_left(self._starts, interval.end)
        return [Interval(self._starts[k], self._ends[k]) for k in range(i, j)]

    def span_containing(self, instant: datetime) -> Interval | None:
        i = bisect_right(self._starts, instant) - 1
        if i >= 0 and instant < self._ends[i]:
            return Interval(self._starts[i], self._ends[i])
        return None

    # --- algebra -------------------------------------------------------------------------
    def union(self, other: IntervalSet) -> IntervalSet:
        if not other:
            return self
        if not self:
            return other
        merged = sorted(zip(self._starts + other._starts, self._ends + other._ends, strict=True))
        return IntervalSet(merged)

    def intersection(self, other: IntervalSet) -> IntervalSet:
        a_s, a_e, b_s, b_e = self._starts, self._ends, other._starts, other._ends
        i = j = 0
        starts: list[datetime] = []
        ends: list[datetime] = []
        while i < len(a_s) and j < len(b_s):
            lo = a_s[i] if a_s[i] > b_s[j] else b_s[j]
            if a_e[i] < b_e[j]:
                hi = a_e[i]
                i += 1
            else:
                hi = b_e[j]
                j += 1
            if lo < hi:
                starts.append(lo)
                ends.append(hi)
        return IntervalSet._normalised(starts, ends)

    def difference(self, other: IntervalSet) -> IntervalSet:
        b_s, b_e = other._starts, other._ends
        starts: list[datetime] = []
        ends: list[datetime] = []
        j = 0
        for start, end in zip(self._starts, self._ends, strict=True):
            cur = start
            while j < len(b_s) and b_e[j] <= cur:
                j += 1
            k = j
            while k < len(b_s) and b_s[k] < end:
                if b_s[k] > cur:
                    starts.append(cur)
                    ends.append(b_s[k])
                if b_e[k] > cur:
                    cur = b_e[k]
                if cur >= end:
                    break
                k += 1
            if cur < end:
                starts.append(cur)
                ends.append(end)
        return IntervalSet._normalised(starts, ends)

    def without(self, other: IntervalSet, before: timedelta, after: timedelta) -> IntervalSet:
        """`self - other.expanded(before, after)`, without building the widened set.

        Only the spans of `other` near a span of `self` are visited (found by bisection), so a
        small set minus a long busy calendar costs little: this is the slot finder's hot path.
        """
        o_s, o_e = other._starts, other._ends
        if not o_s or not self._starts:
            return self
        starts: list[datetime] = []
        ends: list[datetime] = []
        for start, end in zip(self._starts, self._ends, strict=True):
            # Widened spans keep both their starts and ends sorted (same widening for all), so
            # the first one that can reach `start` is found by bisecting the original ends.
            k = bisect_right(o_e, start - after)
            cur = start
            while k < len(o_s):
                b_start = o_s[k] - before
                if b_start >= end:
                    break
                if b_start > cur:
                    starts.append(cur)
                    ends.append(b_start)
                b_end = o_e[k] + after
                if b_end > cur:
                    cur = b_end
                if cur >= end:
                    break
                k += 1
            if cur < end:
                starts.append(cur)
                ends.append(end)
        return IntervalSet._normalised(starts, ends)

    __or__ = union
    __and__ = intersection
    __sub__ = difference

    def expanded(self, before: timedelta, after: timedelta | None = None) -> IntervalSet:
        """Grow every span by `before` at its start and `after` (default: the same) at its end."""
        after = before if after is None else after
        if not before and not after:
            return self
        return IntervalSet((s - before, e + after) for s, e in zip(self._starts, self._ends, strict=True))

    def clipped(self, window: Interval) -> IntervalSet:
        return self & IntervalSet.of(window)


def union_all(sets: Iterable[IntervalSet]) -> IntervalSet:
    """The union of many sets in one sort, cheaper than folding `|` pairwise."""
    spans: list[tuple[datetime, datetime]] = []
    for s in sets:
        spans.extend(zip(s._starts, s._ends, strict=True))
    return IntervalSet(spans)


def intersect_all(sets: Iterable[IntervalSet], within: IntervalSet) -> IntervalSet:
    """The intersection of `within` with every set, stopping early once nothing is left."""
    result = within
    for s in sets:
        if not result:
            break
        result = result & s
    return result


EMPTY = IntervalSet()
