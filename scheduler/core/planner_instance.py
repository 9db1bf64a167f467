"""The planner's view of a mission: every meeting's candidate starts, scores and what they occupy.

Everything the greedy baseline, the CP-SAT model and the reasons share is computed here once,
so the three agree exactly on what a conflict is:

* a candidate start of a meeting is a grid start where all its required participants are free
  (hours, holidays, busy + buffer, meetings already fixed), inside its dates, and after the
  earliest possible end of every meeting in its `after` list;
* two placements conflict for a person when their spans widened by the buffer at the end meet:
  `[s, s + d + buffer)`; for a resource when the spans themselves meet (resources need no buffer);
* `max_per_day` counts a person's required meetings by the local date of the start.

Instants become integer seconds since the mission window opens, which keeps the sweeps cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from scheduler.core.availability import feasible_starts, start_set
from scheduler.core.intervals import IntervalSet, ensure_utc
from scheduler.core.models import Meeting, Mission, Score
from scheduler.core.scoring import score
from scheduler.core.zones import local_date
from scheduler.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One candidate placement: meeting `mid` at `start` (seconds), held as a literal by the model."""

    mid: str
    k: int  # index of the start in the meeting's candidate list
    start: int
    end: int  # start + duration, seconds


@dataclass
class Instance:
    """Pre-computed planning data (see the module docstring)."""

    mission: Mission
    fixed: dict[str, datetime]  # every meeting that stays where it is (file + caller)
    origin: datetime  # second 0
    buffer: int  # seconds
    free: list[Meeting]  # meetings to place, mission order
    starts: dict[str, list[datetime]]  # candidate starts per free meeting, ascending
    secs: dict[str, list[int]]  # the same in seconds
    values: dict[str, list[int]]  # Score.value per candidate
    scores: dict[str, list[Score]]
    dur: dict[str, int]  # seconds, every meeting
    dates: dict[tuple[str, str], list[date]]  # (mid, person) → local date of each candidate
    blocked_by_order: dict[str, str] = field(default_factory=dict)  # mid → reason (after)
    grid_index: dict[datetime, int] = field(default_factory=dict)

    def sec(self, instant: datetime) -> int:
        return int((instant - self.origin).total_seconds())

    def at(self, seconds: int) -> datetime:
        return self.origin + timedelta(seconds=seconds)

    def items(self, mid: str) -> Iterable[Item]:
        d = self.dur[mid]
        return (Item(mid, k, s, s + d) for k, s in enumerate(self.secs[mid]))


def all_fixed(mission: Mission, fixed: Mapping[str, datetime] | None) -> dict[str, datetime]:
    """The meetings that stay put: the caller's `fixed`, then every `Meeting.fixed_start`."""
    known = {m.id for m in mission.meetings}
    out: dict[str, datetime] = {}
    for mid, start in (fixed or {}).items():
        if mid not in known:
            raise NotFound(f"cannot fix {mid!r}: the mission has no meeting with that id")
        out[mid] = ensure_utc(start, f"fixed start of {mid}")
    for m in mission.meetings:
        if m.fixed_start is not None and m.id not in out:
            out[m.id] = m.fixed_start
    return out


def topological(meetings: list[Meeting]) -> list[Meeting]:
    """Meetings ordered so every meeting comes after those in its `after` list (mission order otherwise).

    The mission file rejects cycles; should one get here anyway, its members keep mission order.
    """
    ids = {m.id for m in meetings}
    done: set[str] = set()
    order: list[Meeting] = []
    pending = list(meetings)
    while pending:
        ready = [m for m in pending if all(a in done or a not in ids for a in m.after)]
        if not ready:  # a cycle: give up on the ordering, not on the meetings
            ready = pending[:1]
        for m in ready:
            order.append(m)
            done.add(m.id)
        pending = [m for m in pending if m.id not in done]
    return order


def build_instance(mission: Mission, fixed: Mapping[str, datetime] | None = None) -> Instance:
    """Candidate starts, scores and local dates of every meeting that is not fixed."""
    fixed_all = all_fixed(mission, fixed)
    origin = mission.window.start
    inst = Instance(
        mission=mission,
        fixed=fixed_all,
        origin=origin,
        buffer=int(mission.buffer.total_seconds()),
        free=[m for m in mission.meetings if m.id not in fixed_all],
        starts={},
        secs={},
        values={},
        scores={},
        dur={m.id: int(m.duration.total_seconds()) for m in mission.meetings},
        dates={},
    )
    optional_sets: dict[tuple[str, timedelta], IntervalSet] = {}
    earliest_end: dict[str, int] = {mid: inst.sec(s) + inst.dur[mid] for mid, s in fixed_all.items()}
    latest_end: dict[str, list[datetime]] = {}
    for mid, start in fixed_all.items():
        for a in mission.meeting(mid).after:
            latest_end.setdefault(a, []).append(start)
    for m in topological(inst.free):
        starts = feasible_starts(mission, m, fixed=fixed_all)
        # `after` is strict: every predecessor must be placed and end first, so nothing can start
        # before the earliest end any predecessor can reach.
        for a in m.after:
            if a not in earliest_end:
                inst.blocked_by_order[m.id] = a
                starts = []
                break
            starts = [s for s in starts if inst.sec(s) >= earliest_end[a]]
        # A fixed meeting stays put, so whatever it comes after must end before it.
        for b in latest_end.get(m.id, ()):
            starts = [s for s in starts if s + m.duration <= b]
        inst.starts[m.id] = starts
        inst.secs[m.id] = [inst.sec(s) for s in starts]
        if starts:
            earliest_end[m.id] = inst.secs[m.id][0] + inst.dur[m.id]
        scores = [score_at(mission, m, s, optional_sets) for s in starts]
        inst.scores[m.id] = scores
        inst.values[m.id] = [sc.value for sc in scores]
        for pid in m.required:
            tz = mission.participant(pid).timezone
            inst.dates[(m.id, pid)] = [local_date(s, tz) for s in starts]
    return inst


def score_at(
    mission: Mission,
    m: Meeting,
    start: datetime,
    cache: dict[tuple[str, timedelta], IntervalSet] | None = None,
) -> Score:
    """The slot finder's score: optional attendees count as free when their own starts allow it."""
    cache = {} if cache is None else cache
    free_optional = []
    for pid in m.optional:
        key = (pid, m.duration)
        if key not in cache:
            cache[key] = start_set(mission, mission.participant(pid), m.duration)
        if cache[key].contains_instant(start):
            free_optional.append(pid)
    return score(mission, m, start, free_optional)


def person_conflict(inst: Instance, a: str, sa: int, b: str, sb: int) -> bool:
    """Do two placements sharing a person break the buffer rule?"""
    return sa < sb + inst.dur[b] + inst.buffer and sb < sa + inst.dur[a] + inst.buffer


def spans_meet(inst: Instance, a: str, sa: int, b: str, sb: int) -> bool:
    return sa < sb + inst.dur[b] and sb < sa + inst.dur[a]


def peak_load(spans: list[tuple[int, int]], lo: int, hi: int) -> int:
    """The largest number of spans covering one instant of `[lo, hi)`."""
    inside = [(max(a, lo), min(b, hi)) for a, b in spans if a < hi and lo < b]
    best = 0
    for p, _ in inside:
        best = max(best, sum(1 for a, b in inside if a <= p < b))
    return best


def maximal_cliques(spans: list[tuple[int, int, T]]) -> list[tuple[int, list[T]]]:
    """Sets of half-open spans that share an instant, only the maximal ones, with that instant.

    Spans that pairwise meet share the latest of their starts, so it is enough to look at start
    points; a start point's set is only worth a constraint when some span ends before the next
    start point (otherwise the next point's set contains it).
    """
    spans = sorted(spans, key=lambda t: (t[0], t[1]))
    points = sorted({a for a, _, _ in spans})
    out: list[tuple[int, list[T]]] = []
    active: list[tuple[int, int, T]] = []
    j = 0
    for i, p in enumerate(points):
        while j < len(spans) and spans[j][0] == p:
            active.append(spans[j])
            j += 1
        active = [t for t in active if t[1] > p]
        nxt = points[i + 1] if i + 1 < len(points) else None
        if nxt is None or any(t[1] <= nxt for t in active):
            out.append((p, [t[2] for t in active]))
    return out
