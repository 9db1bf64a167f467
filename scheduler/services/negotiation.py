"""Keeping every open proposal alive, and telling the coordinator whatever needs a person.

Called inside the transaction of each change that can take options away (a booking, a
reschedule, a cancellation, a decline with windows): `refill` tops up every open proposal
that fell below the mission's `min_options`, choosing the new options jointly with
`core.options.choose_options` (bookings fixed, the counterpart's own windows respected), and
adds them to the *same* proposal, so the link the counterpart already has shows them. With
`auto_recovery` off the options wait as "suggested" for the coordinator's one-click send.

`raise_item` files an attention item and queues its email to the coordinator in the same
transaction, so an item is never stored without its email, nor the email sent for a change
that rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from scheduler.core.attention import AttentionItem, AttentionKind, Negotiation
from scheduler.core.availability import feasible_set, grid, starts_in
from scheduler.core.bookings import Proposal, ProposalOption, booked_starts, rule_problems
from scheduler.core.intervals import IntervalSet
from scheduler.core.models import MinuteRange, Mission, Slot, normalise_ranges
from scheduler.core.options import Competition, OptionRequest, choose_options
from scheduler.core.slots import find_slots
from scheduler.core.zones import MINUTES_PER_DAY, local_date, local_midnight, to_local
from scheduler.ports import Envelope
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork
from scheduler.services.webhook_events import proposal_exhausted

log = logging.getLogger(__name__)

REFILL_TIME_LIMIT = 2.0  # seconds of CP-SAT per refill; a booking must stay quick


def wall_ranges(
    spans: Sequence[tuple[datetime, datetime]], zone_name: str
) -> dict[date, tuple[MinuteRange, ...]]:
    """UTC spans → wall-clock minute ranges per local date in the zone (for overrides)."""
    merged = IntervalSet(spans)
    out: dict[date, list[MinuteRange]] = {}
    for start, end in merged:
        cur = start
        while cur < end:
            day = local_date(cur, zone_name)
            midnight = local_midnight(day + timedelta(days=1), zone_name)
            stop = min(end, midnight)
            a = _minute(cur, zone_name)
            b = MINUTES_PER_DAY if stop == midnight else _minute(stop, zone_name)
            if a < b:
                out.setdefault(day, []).append((a, b))
            cur = stop
    return {d: normalise_ranges(tuple(r)) for d, r in out.items()}


def _minute(instant: datetime, zone_name: str) -> int:
    t = to_local(instant, zone_name)
    return t.hour * 60 + t.minute


def policy(uow: UnitOfWork, mission_id: int) -> Negotiation:
    return uow.attention.negotiation(mission_id)


def raise_item(
    services: Services,
    uow: UnitOfWork,
    mission: Mission,
    mission_id: int,
    kind: AttentionKind,
    *,
    summary: str,
    now: datetime,
    meeting_id: str = "",
    proposal_id: int | None = None,
    note: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AttentionItem:
    """File an attention item and queue its email to the mission's coordinator (the organizer)."""
    item: AttentionItem = uow.attention.add(
        mission_id,
        kind,
        summary=summary,
        now=now,
        meeting_id=meeting_id,
        proposal_id=proposal_id,
        note=note,
        detail=detail,
    )
    if services.messages is not None:
        envelope = services.messages.attention(mission, item, now=now)
        queue(uow, [envelope], now, mission_id, meeting_id, "attention")
        uow.attention.mark_notified(item.id, now)
    return item


def resolve_items(
    uow: UnitOfWork, mission_id: int, *, now: datetime, resolution: str, proposal_id: int | None = None,
    meeting_id: str | None = None, kinds: Sequence[str] = (),
) -> None:  # fmt: skip
    """Close the open items that a change has settled (by proposal, meeting and kind)."""
    done = [
        i.id
        for i in uow.attention.items(mission_id)
        if (proposal_id is None or i.proposal_id == proposal_id)
        and (meeting_id is None or i.meeting_id == meeting_id)
        and (not kinds or i.kind in kinds)
    ]
    uow.attention.resolve(done, resolution=resolution, now=now)


def candidates(
    mission: Mission,
    meeting_id: str,
    earliest: datetime,
    windows: Sequence[tuple[datetime, datetime]] = (),
    holder: str = "",
) -> tuple[tuple[Slot, ...], tuple[str, ...]]:
    """The allowed starts of a meeting (ranked) from `earliest` on, and the reasons when there are none.

    `windows` are times counterpart `holder` (default: every counterpart of the meeting) said
    they can do: their own hours do not apply inside them, and nothing outside them is offered.
    They change only this search, never the mission (what a booking link sends is kept apart
    from the coordinator's data).
    """
    searched = mission
    given = IntervalSet(windows)  # adjacent hour cells ticked form one window
    if windows:
        meeting = mission.meeting(meeting_id)
        searched = replace(
            mission,
            counterparts=tuple(
                replace(p, overrides={**p.overrides, **wall_ranges(windows, p.timezone)})
                if p.id in meeting.counterparts and holder in ("", p.id)
                else p
                for p in mission.counterparts
            ),
        )
    search = find_slots(searched, meeting_id)
    slots = tuple(
        s
        for s in search.slots
        if s.start >= earliest
        and not rule_problems(mission, meeting_id, s.start)
        and (not windows or any(a <= s.start and s.end <= b for a, b in given))
    )
    return slots, search.reasons


def possible_starts(mission: Mission, meeting_id: str, earliest: datetime) -> list[datetime]:
    """Starts at which this meeting's delegates (and its resources) could hold it, whatever the
    counterparts' own hours: the times worth offering a counterpart to say "I can do this"."""
    meeting = mission.meeting(meeting_id)
    ours = replace(meeting, counterparts=(), optional=())
    shadow = replace(mission, meetings=tuple(ours if m.id == meeting_id else m for m in mission.meetings))
    starts = starts_in(feasible_set(shadow, ours, fixed=booked_starts(mission)), grid(mission))
    return [s for s in starts if s >= earliest and not rule_problems(shadow, meeting_id, s)]


def open_offers(proposals: Sequence[Proposal], now: datetime) -> dict[str, list[datetime]]:
    """Meeting → starts of the open options of its live open proposals."""
    out: dict[str, list[datetime]] = {}
    for p in proposals:
        if p.status == "open" and p.expires_at > now:
            out.setdefault(p.meeting_id, []).extend(o.start for o in p.open_options)
    return out


def recoverable(proposal: Proposal, now: datetime) -> bool:
    """A live proposal that may be given new options: open, out of options, or declined with windows."""
    if proposal.expires_at <= now:
        return False
    return proposal.status in ("open", "exhausted") or (
        proposal.status == "declined" and bool(proposal.available)
    )


def usable(proposal: Proposal, earliest: datetime) -> list[ProposalOption]:
    """The open options a counterpart can still be held to: none inside the minimum notice."""
    return [o for o in proposal.open_options if o.start >= earliest]


def short_of_options(uow: UnitOfWork, mission_id: int, now: datetime, earliest: datetime) -> list[int]:
    """Ids of the live proposals with fewer usable options than the mission's minimum."""
    rules = policy(uow, mission_id)
    return [
        p.id
        for p in uow.proposals(mission_id)
        if recoverable(p, now) and p.status != "declined" and len(usable(p, earliest)) < rules.min_options
    ]


def recover(services: Services, mission_id: int, proposal_ids: Sequence[int]) -> list[int]:
    """`refill` in its own transaction, after the change that called for it has committed.

    A booking's transaction stays short (the CP-SAT search runs after it), and a failure here
    never undoes the booking: it is logged, and the recovery job tries again.
    """
    if not proposal_ids:
        return []
    try:
        with services.uow() as uow:
            uow.lock_mission(mission_id)
            return refill(services, uow, mission_id, services.clock.now(), proposal_ids)
    except Exception:  # the change is committed; the recovery job retries what this missed
        log.exception("recovering proposals %s of mission %s failed", list(proposal_ids), mission_id)
        return []


def notify_unsent(services: Services) -> int:
    """Email the coordinator about items filed where no message could be built (a failed delivery,
    recorded by the outbox); for the sweep job. How many emails were queued."""
    if services.messages is None:
        return 0
    now, sent = services.clock.now(), 0
    with services.uow() as uow:
        for mission_id in uow.mission_ids():
            waiting = [i for i in uow.attention.items(mission_id) if i.notified_at is None]
            if not waiting:
                continue
            mission = uow.mission(mission_id)
            for item in waiting:
                envelope = services.messages.attention(mission, item, now=now)
                sent += len(queue(uow, [envelope], now, mission_id, item.meeting_id, "attention"))
                uow.attention.mark_notified(item.id, now)
    return sent


def recover_missed(services: Services) -> list[int]:
    """For the sweep job: the proposals that lost options (withdrawn, or run into the minimum
    notice as time passed), are below their minimum and have no open item: what a crash after a
    booking missed, and what the clock took away. The ids refilled."""
    now = services.clock.now()
    earliest = now + services.settings.min_notice
    with services.uow() as uow:
        missed = {}
        for mission_id in uow.mission_ids():
            flagged = {i.proposal_id for i in uow.attention.items(mission_id)}
            rules = uow.attention.negotiation(mission_id)
            ids = [
                p.id
                for p in uow.proposals(mission_id)
                if recoverable(p, now)
                and p.status != "declined"
                and p.id not in flagged
                and len(usable(p, earliest)) < rules.min_options
                and (
                    any(o.status == "withdrawn" for o in p.options)
                    or len(usable(p, earliest)) < len(p.open_options)
                )
            ]
            if ids:
                missed[mission_id] = ids
    return [pid for mission_id, ids in missed.items() for pid in recover(services, mission_id, ids)]


def refill(
    services: Services, uow: UnitOfWork, mission_id: int, now: datetime, proposal_ids: Sequence[int]
) -> list[int]:
    """Top up those of `proposal_ids` that are live and below the mission's minimum; the ids refilled.

    Only the proposals a change touched are searched. New options go on the same proposal
    (the link the counterpart has shows them) and a "new times" letter goes out; with
    `auto_recovery` off they wait as "suggested" behind an "approve-options" item. A proposal
    that gets nothing and has no option left becomes "exhausted", with an item naming what
    blocks it. Competition that could not be avoided is reported as one "conflict" item.
    """
    rules = policy(uow, mission_id)
    mission = uow.mission(mission_id)
    statuses = uow.meeting_statuses(mission_id)
    live = [p for p in uow.proposals(mission_id) if recoverable(p, now)]
    wanted = set(proposal_ids)
    earliest = now + services.settings.min_notice
    low = [
        p
        for p in live
        if p.id in wanted
        and len(usable(p, earliest)) < rules.min_options
        and statuses[p.meeting_id].booking is None
        and not any(o.status == "suggested" for o in p.options)
    ]
    if not low:
        return []
    requests, reasons = [], {}
    for p in low:
        slots, why = candidates(mission, p.meeting_id, earliest, p.available, p.available_for)
        reasons[p.id] = why
        requests.append(
            OptionRequest(
                meeting_id=p.meeting_id,
                candidates=slots,
                keeps=tuple(o.start for o in usable(p, earliest)),
                need=rules.min_options,
                want=services.settings.max_options,
            )
        )
    offered = open_offers([p for p in live if p not in low], now)
    choice = choose_options(mission, requests, offered=offered, time_limit=REFILL_TIME_LIMIT)
    refilled: list[int] = []
    for p in low:
        new = choice.chosen.get(p.meeting_id, ())
        specs = [(s.start, s.end, "alternative") for s in new]
        if new and rules.auto_recovery:
            uow.add_options(p.id, specs)
            uow.update_proposal(p.id, status="open", needs_attention=False)
            uow.set_meeting_state(mission_id, p.meeting_id, "proposed")
            _send_new_times(services, uow, mission, mission_id, uow.proposal(p.id), now)
            settled = ("exhausted", "declined") if p.available else ("exhausted",)
            resolve_items(
                uow, mission_id, now=now, proposal_id=p.id, kinds=settled,
                resolution="new times sent: " + ", ".join(s.start.isoformat() for s in new),
            )  # fmt: skip
            refilled.append(p.id)
        elif new:
            uow.add_options(p.id, specs, status="suggested")
            raise_item(
                services, uow, mission, mission_id, "approve-options",
                summary=f"{p.meeting_id}: {len(new)} new times found; send them to the counterpart?",
                now=now, meeting_id=p.meeting_id, proposal_id=p.id,
                detail={"options": [[s.start.isoformat(), s.end.isoformat()] for s in new]},
            )  # fmt: skip
        elif (
            not usable(p, earliest)
            and p.status != "declined"
            and not _has_item(uow, mission_id, p.id, "exhausted")
        ):
            uow.update_proposal(p.id, status="exhausted", needs_attention=True)
            blocked = "; ".join(reasons[p.id]) or "no time left that fits every rule beside the bookings"
            if p.status != "exhausted":  # a booking that took its last option has told already
                proposal_exhausted(uow, mission, p, reasons=[blocked], now=now)
            raise_item(
                services, uow, mission, mission_id, "exhausted",
                summary=f"{p.meeting_id}: every time offered is gone and no new time fits",
                now=now, meeting_id=p.meeting_id, proposal_id=p.id, detail={"reasons": [blocked]},
            )  # fmt: skip
    fresh = {(mid, s.start) for mid, slots in choice.chosen.items() for s in slots}
    mine = [
        c
        for c in choice.competing
        if (c.meeting, c.start) in fresh or (c.other_meeting, c.other_start) in fresh
    ]
    if mine:  # only what this choice added: older competition was reported when it was made
        report_competition(services, uow, mission, mission_id, mine, now)
    return refilled


def send_suggested(services: Services, mission_id: int, proposal_id: int) -> list[int]:
    """The coordinator approves the suggested options of a proposal: they open, and the letter goes."""
    now = services.clock.now()
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        proposal = uow.proposal(proposal_id)
        suggested = [o.id for o in proposal.options if o.status == "suggested"]
        uow.set_option_status(suggested, "open")
        uow.update_proposal(proposal_id, status="open", needs_attention=False)
        _send_new_times(services, uow, uow.mission(mission_id), mission_id, uow.proposal(proposal_id), now)
        return suggested


def _has_item(uow: UnitOfWork, mission_id: int, proposal_id: int, kind: str) -> bool:
    return any(i.proposal_id == proposal_id and i.kind == kind for i in uow.attention.items(mission_id))


def _send_new_times(
    services: Services, uow: UnitOfWork, mission: Mission, mission_id: int, proposal: Proposal, now: datetime
) -> None:
    if services.messages is None:
        return
    envelopes = services.messages.new_times(
        mission,
        proposal.meeting_id,
        options=[(o.start, o.end) for o in proposal.open_options],
        expires_at=proposal.expires_at,
        now=now,
    )
    queue(uow, envelopes, now, mission_id, proposal.meeting_id, "new-times")


def report_competition(
    services: Services,
    uow: UnitOfWork,
    mission: Mission,
    mission_id: int,
    competing: Sequence[Competition],
    now: datetime,
) -> None:
    pairs = [[c.meeting, c.start.isoformat(), c.other_meeting, c.other_start.isoformat()] for c in competing]
    raise_item(
        services,
        uow,
        mission,
        mission_id,
        "conflict",
        summary=f"{len(pairs)} pairs of offered times compete: a pick may take another meeting's time",
        now=now,
        detail={"pairs": pairs},
    )


def queue(
    uow: UnitOfWork, envelopes: Sequence[Envelope], now: datetime, mission_id: int, meeting_id: str, kind: str
) -> list[str]:
    """Enqueue every envelope in the unit of work's outbox; the Message-IDs stored."""
    return [
        e.message_id
        for e in envelopes
        if uow.outbox.enqueue(e, now=now, mission_id=mission_id, meeting_id=meeting_id, kind=kind)
    ]


__all__ = [
    "candidates",
    "notify_unsent",
    "open_offers",
    "policy",
    "possible_starts",
    "queue",
    "raise_item",
    "recover",
    "recover_missed",
    "recoverable",
    "refill",
    "report_competition",
    "resolve_items",
    "send_suggested",
    "short_of_options",
    "usable",
    "wall_ranges",
]
