"""Compatible option sets: which times to offer several counterparts at once (CP-SAT).

A mission negotiates a dozen meetings at once for the same few evening hours of the same
delegates, and counterparts answer in any order. Options are not holds, so the danger is that
one counterpart's pick silently removes another's options. `choose_options` picks, jointly
for every proposal being (re)filled, up to `want` options per meeting such that *any*
combination of picks by different counterparts can be held together:

* no two options of different meetings use one person's time closer than the buffer
  (their claim cells over `[start, end + buffer)` never meet);
* at no instant do more meetings hold options on a resource than its units left free by
  the bookings;
* on a person's local date, no more meetings hold options than `max_per_day` leaves;
* an option of a meeting never starts before an option of one it must come `after` ends.

Options already offered (of these meetings, and of every other open proposal) stay as they
are and count. Where the mission's time does not allow full compatibility, the model still
gives each meeting its `need` first, then minimises the competition, and `competing` says
which option competes with which. The model is written down in docs/planner.md.

The core stays pure: the caller passes the mission (bookings as fixed starts), the ranked
candidate slots and the options already offered.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from scheduler.core.bookings import booked_starts, cells, claim_cell, clashes
from scheduler.core.models import Mission, Slot
from scheduler.core.zones import local_date

# Lexicographic by weight: first every meeting's `need`, then no competition, then more
# options (up to `want`), then quality and spread over days.
W_MISSING = 100_000
W_COMPETING = 5_000
W_OPTION = 400
W_QUALITY = 100  # the best candidate of a meeting; the worst ranked gets 0
W_NEW_DAY = 60
W_PLANNED = 80
CANDIDATES = 36  # per meeting: the best of each day first, then by rank (keeps the model small)
PER_DAY = 4


@dataclass(frozen=True, kw_only=True)
class OptionRequest:
    """One meeting to fill: its ranked allowed `candidates`, the starts it `keeps`, the counts wanted.

    `need`: the fewest options it should have (kept ones count); `want`: the most.
    `planned`: the plan's slot, preferred when it is among the candidates.
    """

    meeting_id: str
    candidates: tuple[Slot, ...]
    keeps: tuple[datetime, ...] = ()
    need: int = 2
    want: int = 5
    planned: datetime | None = None


@dataclass(frozen=True)
class Competition:
    """Two offered options of different meetings that cannot both be booked."""

    meeting: str
    start: datetime
    other_meeting: str
    other_start: datetime


@dataclass(frozen=True, kw_only=True)
class OptionChoice:
    """The new options per meeting (best first), the competition left, and the solver's verdict."""

    chosen: Mapping[str, tuple[Slot, ...]]
    competing: tuple[Competition, ...] = ()
    short: Mapping[str, int] = field(default_factory=dict)  # meeting → options still missing
    optimal: bool = False


@dataclass
class _Var:
    meeting: str
    start: datetime
    end: datetime
    lit: cp_model.IntVar | int  # 1 for an option already offered
    slot: Slot | None = None


def choose_options(
    mission: Mission,
    requests: Sequence[OptionRequest],
    *,
    offered: Mapping[str, Sequence[datetime]] | None = None,
    time_limit: float = 2.0,
) -> OptionChoice:
    """Choose new options for each request so that picks by different counterparts never collide.

    `offered`: the open options of other open proposals (meeting → starts); they stay and
    count. `mission` holds the bookings as fixed starts; candidates must already respect them.
    First with competition forbidden (strong propagation: it finds compatible sets fast); only
    when that leaves a meeting short of its `need` again with competition as a penalty, and
    the better of the two is kept. Deterministic (one worker, fixed seed) and bounded by
    `time_limit` seconds in all.
    """
    offered = offered or {}
    candidates = {
        r.meeting_id: thinned([s for s in r.candidates if s.start not in set(r.keeps)], mission.timezone)
        for r in requests
    }
    hint = greedy_options(mission, requests, offered, candidates)
    strict, optimal = _solve(mission, requests, offered, candidates, hint, time_limit / 2, strict=True)
    chosen = strict
    if _missing(requests, strict):
        # Start the penalised search from the strict answer with each short meeting filled up by
        # its best candidates: no meeting short, some competition, for the search to reduce.
        filled = {r.meeting_id: _filled(r, strict[r.meeting_id], candidates[r.meeting_id]) for r in requests}
        loose, loose_optimal = _solve(
            mission, requests, offered, candidates, filled, time_limit / 2, strict=False
        )
        # The penalised search does not always keep its hint's coverage in the time it has, so
        # the filled-up strict answer competes too: fewest missing options first, then least
        # competition.
        tries = [(strict, optimal), (loose, loose_optimal), (_as_tuples(filled), False)]
        chosen, optimal = min(
            tries,
            key=lambda t: (_missing(requests, t[0]), len(_competition(mission, requests, offered, t[0]))),
        )
    short = {
        r.meeting_id: r.need - len(r.keeps) - len(chosen[r.meeting_id])
        for r in requests
        if len(r.keeps) + len(chosen[r.meeting_id]) < r.need
    }
    return OptionChoice(
        chosen=chosen,
        competing=_competition(mission, requests, offered, chosen),
        short=short,
        optimal=optimal,
    )


def _filled(request: OptionRequest, chosen: Sequence[Slot], candidates: Sequence[Slot]) -> list[Slot]:
    short = max(0, request.need - len(request.keeps) - len(chosen))
    return [*chosen, *[c for c in candidates if c not in chosen][:short]]


def _as_tuples(chosen: Mapping[str, Sequence[Slot]]) -> dict[str, tuple[Slot, ...]]:
    return {mid: tuple(slots) for mid, slots in chosen.items()}


def _competition(
    mission: Mission,
    requests: Sequence[OptionRequest],
    offered: Mapping[str, Sequence[datetime]],
    chosen: Mapping[str, Sequence[Slot]],
) -> tuple[Competition, ...]:
    targets = {r.meeting_id for r in requests}
    final = {mid: list(starts) for mid, starts in offered.items() if mid not in targets}
    for r in requests:
        final[r.meeting_id] = [*r.keeps, *(s.start for s in chosen[r.meeting_id])]
    return competing_options(mission, final)


def _missing(requests: Sequence[OptionRequest], chosen: Mapping[str, Sequence[Slot]]) -> int:
    return sum(max(0, r.need - len(r.keeps) - len(chosen.get(r.meeting_id, ()))) for r in requests)


def _solve(
    mission: Mission,
    requests: Sequence[OptionRequest],
    offered: Mapping[str, Sequence[datetime]],
    candidates: Mapping[str, Sequence[Slot]],
    hint: Mapping[str, Sequence[Slot]],
    time_limit: float,
    *,
    strict: bool,
) -> tuple[dict[str, tuple[Slot, ...]], bool]:
    """One CP-SAT model of the choice; `strict` forbids competition instead of penalising it."""
    model = cp_model.CpModel()
    cell = claim_cell(mission)
    items: list[_Var] = []
    new_vars: dict[str, list[_Var]] = defaultdict(list)
    objective: list[tuple[int, cp_model.IntVar]] = []
    penalties: list[tuple[int, cp_model.IntVar]] = []
    targets = {r.meeting_id for r in requests}

    for mid, starts in offered.items():
        if mid in targets:
            continue
        duration = mission.meeting(mid).duration
        items += [_Var(mid, s, s + duration, 1) for s in starts]
    for r in requests:
        meeting = mission.meeting(r.meeting_id)
        items += [_Var(r.meeting_id, s, s + meeting.duration, 1) for s in r.keeps]
        fresh = candidates[r.meeting_id]
        picked = {s.start for s in hint.get(r.meeting_id, ())}
        for rank, slot in enumerate(fresh):
            lit = model.new_bool_var(f"x_{r.meeting_id}_{rank}")
            model.add_hint(lit, slot.start in picked)
            v = _Var(r.meeting_id, slot.start, slot.end, lit, slot)
            items.append(v)
            new_vars[r.meeting_id].append(v)
            quality = W_QUALITY - (W_QUALITY * rank) // max(1, len(fresh))
            bonus = W_PLANNED if r.planned is not None and slot.start == r.planned else 0
            objective.append((W_OPTION + quality + bonus, lit))
        lits = [v.lit for v in new_vars[r.meeting_id]]
        if lits:
            model.add(sum(lits) <= max(0, r.want - len(r.keeps)))
        short_by = max(0, r.need - len(r.keeps))
        if short_by:
            missing = model.new_int_var(0, short_by, f"missing_{r.meeting_id}")
            model.add(sum(lits) + missing >= short_by)
            penalties.append((W_MISSING, missing))
        by_day: dict[date, list[cp_model.IntVar | int]] = defaultdict(list)
        for v in new_vars[r.meeting_id]:
            by_day[local_date(v.start, mission.timezone)].append(v.lit)
        kept_days = {local_date(s, mission.timezone) for s in r.keeps}
        for day, day_lits in by_day.items():
            if day in kept_days:
                continue
            used = model.new_bool_var(f"day_{r.meeting_id}_{day}")
            model.add(used <= sum(day_lits))
            objective.append((W_NEW_DAY, used))

    penalties += _occupancy(model, mission, items, cell, strict)
    penalties += _order(model, mission, items, strict)
    model.maximize(sum(w * v for w, v in objective) - sum(w * v for w, v in penalties))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    solver.parameters.repair_hint = True  # the hint leaves the helper variables open: complete it
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # the empty choice is always feasible
        return {r.meeting_id: () for r in requests}, False
    chosen = {
        r.meeting_id: tuple(v.slot for v in new_vars[r.meeting_id] if v.slot and solver.boolean_value(v.lit))
        for r in requests
    }
    return chosen, status == cp_model.OPTIMAL


def thinned(slots: Sequence[Slot], zone: str, limit: int = CANDIDATES) -> list[Slot]:
    """At most `limit` of the ranked `slots`: the best `PER_DAY` of each day, then the best of the rest."""
    per_day: dict[date, int] = defaultdict(int)
    first: list[Slot] = []
    rest: list[Slot] = []
    for s in slots:
        day = local_date(s.start, zone)
        (first if per_day[day] < PER_DAY else rest).append(s)
        per_day[day] += 1
    keep = set(map(id, (first + rest)[:limit] if len(first) >= limit else first + rest[: limit - len(first)]))
    return [s for s in slots if id(s) in keep]


def greedy_options(
    mission: Mission,
    requests: Sequence[OptionRequest],
    offered: Mapping[str, Sequence[datetime]],
    candidates: Mapping[str, Sequence[Slot]],
) -> dict[str, list[Slot]]:
    """One pass, fewest candidates first: take each meeting's best options that compete with nothing taken.

    A new day is preferred over a second option on a day already offered. This is the hint
    the model starts from, and the baseline the benchmark compares with.
    """
    fixed = booked_starts(mission)
    used = _booked_use(mission, fixed, claim_cell(mission))
    taken: list[tuple[str, datetime]] = [
        (mid, s)
        for mid, starts in offered.items()
        if mid not in {r.meeting_id for r in requests}
        for s in starts
    ]
    taken += [(r.meeting_id, s) for r in requests for s in r.keeps]
    out: dict[str, list[Slot]] = {r.meeting_id: [] for r in requests}
    days = {r.meeting_id: {local_date(s, mission.timezone) for s in r.keeps} for r in requests}
    order = sorted(requests, key=lambda r: (len(candidates.get(r.meeting_id, ())), r.meeting_id))

    def fits(mid: str, start: datetime) -> bool:
        return not any(
            other != mid
            and (clashes(mission, mid, start, other, s) or _over_limits(mission, used, mid, start, other, s))
            for other, s in taken
        )

    # Round by round, so every meeting gets its first option before any gets a second.
    for round_ in range(1, max((r.want for r in requests), default=0) + 1):
        for r in order:
            mine = out[r.meeting_id]
            if len(r.keeps) + len(mine) >= min(round_, r.want):
                continue
            fresh = [c for c in candidates.get(r.meeting_id, ()) if c not in mine]
            new_day = [c for c in fresh if local_date(c.start, mission.timezone) not in days[r.meeting_id]]
            pick = next((c for c in [*new_day, *fresh] if fits(r.meeting_id, c.start)), None)
            if pick is not None:
                mine.append(pick)
                days[r.meeting_id].add(local_date(pick.start, mission.timezone))
                taken.append((r.meeting_id, pick.start))
    return out


def competing_options(mission: Mission, offered: Mapping[str, Sequence[datetime]]) -> tuple[Competition, ...]:
    """Every pair of offered options of different meetings that could not both be booked.

    Pairwise rules (`bookings.clashes`) plus `max_per_day` and resource units: two options
    compete when, beside the bookings, holding both would exceed what is left.
    """
    fixed = booked_starts(mission)
    used = _booked_use(mission, fixed, claim_cell(mission))
    flat = sorted(
        ((mid, s) for mid, starts in offered.items() if mid not in fixed for s in starts),
        key=lambda x: (x[1], x[0]),
    )
    out: list[Competition] = []
    for i, (a, sa) in enumerate(flat):
        for b, sb in flat[i + 1 :]:
            if a == b:
                continue
            if clashes(mission, a, sa, b, sb) or _over_limits(mission, used, a, sa, b, sb):
                out.append(Competition(a, sa, b, sb))
    return tuple(out)


# --- the model's rules -----------------------------------------------------------------------
def _occupancy(
    model: cp_model.CpModel, mission: Mission, items: Sequence[_Var], cell: timedelta, strict: bool
) -> list[tuple[int, cp_model.IntVar]]:
    """Per person cell, resource cell and person day: at most what is left, else a penalty.

    Each meeting counts once per cell or day however many of its options lie there, since its
    counterpart picks only one of them.
    """
    fixed = booked_starts(mission)
    holds: dict[tuple[str, str, int], dict[str, list[cp_model.IntVar | int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for v in items:
        meeting = mission.meeting(v.meeting)
        for pid in meeting.required:
            for c in cells(v.start, v.end + mission.buffer, cell):
                holds[("person", pid, c)][v.meeting].append(v.lit)
            if mission.participant(pid).max_per_day is not None:
                day = local_date(v.start, mission.participant(pid).timezone).toordinal()
                holds[("day", pid, day)][v.meeting].append(v.lit)
        for name in meeting.resources:
            for c in cells(v.start, v.end, cell):
                holds[("resource", name, c)][v.meeting].append(v.lit)
    used = _booked_use(mission, fixed, cell)
    firsts = {
        (kind, subject, cells(v.start, v.end, cell).start)
        for v in items
        for kind, subject in [("person", p) for p in mission.meeting(v.meeting).required]
        + [("resource", r) for r in mission.meeting(v.meeting).resources]
    }
    penalties = []
    for (kind, subject, c), by_meeting in holds.items():
        # The most meetings overlap at some option's first cell: checking those cells suffices.
        if len(by_meeting) < 2 or (kind != "day" and (kind, subject, c) not in firsts):
            continue
        if kind == "person":
            room = 1
        elif kind == "resource":
            room = mission.resources.get(subject, 0) - used.get((kind, subject, c), 0)
        else:
            limit = mission.participant(subject).max_per_day or 0
            room = limit - used.get((kind, subject, c), 0)
        if len(by_meeting) <= room:
            continue
        present: list[cp_model.IntVar | int] = []
        for mid, lits in by_meeting.items():
            if any(isinstance(lit, int) for lit in lits):
                present.append(1)
                continue
            held = model.new_bool_var(f"h_{kind}_{subject}_{c}_{mid}")
            for lit in lits:
                model.add_implication(lit, held)
            present.append(held)
        excess = model.new_int_var(0, 0 if strict else len(by_meeting), f"excess_{kind}_{subject}_{c}")
        model.add(sum(present) - excess <= max(room, 0))
        penalties.append((W_COMPETING, excess))
    return penalties


def _order(
    model: cp_model.CpModel, mission: Mission, items: Sequence[_Var], strict: bool
) -> list[tuple[int, cp_model.IntVar]]:
    """`after`: an option of the later meeting never starts before an option of the earlier ends."""
    by_meeting: dict[str, list[_Var]] = defaultdict(list)
    for v in items:
        by_meeting[v.meeting].append(v)
    penalties = []
    for later, later_vars in by_meeting.items():
        for earlier in mission.meeting(later).after:
            first = by_meeting.get(earlier, [])
            if not first:
                continue
            starts = sorted(later_vars, key=lambda v: v.start)
            keys = [v.start for v in starts]
            for a in first:
                for b in starts[: bisect.bisect_left(keys, a.end)]:
                    if isinstance(a.lit, int) and isinstance(b.lit, int):
                        continue
                    if strict:
                        model.add(a.lit + b.lit <= 1)
                        continue
                    both = model.new_bool_var(f"order_{earlier}_{later}")
                    model.add(both >= a.lit + b.lit - 1)
                    penalties.append((W_COMPETING, both))
    return penalties


def _booked_use(
    mission: Mission, fixed: Mapping[str, datetime], cell: timedelta
) -> dict[tuple[str, str, int], int]:
    """How much of each resource cell and person day the bookings already take."""
    used: dict[tuple[str, str, int], int] = defaultdict(int)
    for mid, start in fixed.items():
        meeting = mission.meeting(mid)
        for name in meeting.resources:
            for c in cells(start, start + meeting.duration, cell):
                used[("resource", name, c)] += 1
        for pid in meeting.required:
            if mission.participant(pid).max_per_day is not None:
                day = local_date(start, mission.participant(pid).timezone).toordinal()
                used[("day", pid, day)] += 1
    return used


def _over_limits(
    mission: Mission, used: Mapping[tuple[str, str, int], int], a: str, sa: datetime, b: str, sb: datetime
) -> bool:
    """Would holding both exceed a person's `max_per_day` or a resource's units beside the bookings?"""
    ma, mb = mission.meeting(a), mission.meeting(b)
    cell = claim_cell(mission)
    for pid in set(ma.required) & set(mb.required):
        limit = mission.participant(pid).max_per_day
        zone = mission.participant(pid).timezone
        day = local_date(sa, zone)
        if (
            limit is not None
            and day == local_date(sb, zone)
            and used.get(("day", pid, day.toordinal()), 0) + 2 > limit
        ):
            return True
    for name in set(ma.resources) & set(mb.resources):
        overlap = set(cells(sa, sa + ma.duration, cell)) & set(cells(sb, sb + mb.duration, cell))
        if any(used.get(("resource", name, c), 0) + 2 > mission.resources.get(name, 0) for c in overlap):
            return True
    return False


__all__ = [
    "Competition",
    "OptionChoice",
    "OptionRequest",
    "choose_options",
    "competing_options",
    "greedy_options",
    "thinned",
]
