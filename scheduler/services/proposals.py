"""Proposals: the options a counterpart is offered behind a booking link, and their answers.

Time across a mission is scarce, so options are not exclusive holds: the *plan* options of
open proposals never clash with each other (no shared person closer than the buffer, no
shared single resource), alternatives may. Booking any option withdraws the options it makes
impossible (see `booking.withdraw_conflicts`); a proposal left with none is flagged.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.core.bookings import Proposal, clashes, dependents, rule_problems
from scheduler.core.intervals import IntervalSet, ensure_utc
from scheduler.core.models import Meeting, MinuteRange, Mission, Slot, normalise_ranges
from scheduler.core.slots import find_slots
from scheduler.core.zones import MINUTES_PER_DAY, local_date, local_midnight, to_local
from scheduler.errors import ConfigError, Conflict, NotFound
from scheduler.services.booking import check_usable, queue
from scheduler.services.context import Services, token_hash

DIFFERENT_TIME = timedelta(hours=1)  # two options on different days should also differ by this much


@dataclass(frozen=True, kw_only=True)
class ProposalCreated:
    """A new proposal. `token` is shown once (it is in `link`) and never stored; only its hash is.

    `messages`: Message-IDs of the booking-request emails queued; `reasons`: why there are
    fewer than `Settings.min_options` options, when there are.
    """

    proposal: Proposal
    token: str
    link: str
    messages: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ProposalPage:
    """What a booking link opens: its proposal, the mission and meeting, and whether it can be used.

    `usable` False with `why` when the link expired or was used (the page says so, HTTP 410).
    """

    proposal: Proposal
    mission: Mission
    meeting: Meeting
    usable: bool
    why: str = ""


@dataclass(frozen=True, kw_only=True)
class DeclineResult:
    """A counterpart answered "none of these work": the proposal, and meetings to re-plan."""

    proposal: Proposal
    dependents: tuple[str, ...] = ()


# --- use cases -------------------------------------------------------------------------------
def propose(
    services: Services, mission_id: int, meeting_id: str, *, plan_start: datetime | None = None
) -> ProposalCreated:
    """Offer the meeting's counterpart 3–5 options behind a new booking link, in one transaction.

    The first option is the plan's slot (`plan_start`, else the meeting's stored
    `planned_start`, else the best slot found) when it is still possible, at least
    `Settings.min_notice` from now, and clashes with no other open proposal's plan option;
    then alternatives from `core.slots.find_slots`, diverse in day and time of day. Options
    respect every rule as of now (booked meetings fixed). The link expires after
    `Settings.proposal_ttl`, never after the last option starts. An older open proposal for
    the meeting is superseded. A booking request is queued to the counterpart contacts.
    Plan options of expired proposals no longer count.
    Raises `NotFound`, `Conflict` (already booked, or no time left at all).
    """
    settings = services.settings
    now = services.clock.now()
    earliest = now + settings.min_notice
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        mission = uow.mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
        if meeting_id not in statuses:
            raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
        if statuses[meeting_id].booking is not None:
            raise Conflict(f"{meeting_id} is already booked")
        search = find_slots(mission, meeting_id)
        slots = [
            s for s in search.slots if s.start >= earliest and not rule_problems(mission, meeting_id, s.start)
        ]
        open_proposals = uow.proposals(mission_id, status="open")
        taken = [
            (p.meeting_id, o.start)
            for p in open_proposals
            if p.meeting_id != meeting_id and p.expires_at > now
            for o in p.open_options
            if o.kind == "plan"
        ]

        def free_of_plans(start: datetime) -> bool:
            return not any(clashes(mission, meeting_id, start, mid, s) for mid, s in taken)

        wanted = plan_start or statuses[meeting_id].planned_start
        by_start = {s.start: s for s in slots}
        primary: Slot | None = None
        if wanted is not None and ensure_utc(wanted) in by_start and free_of_plans(ensure_utc(wanted)):
            primary = by_start[ensure_utc(wanted)]
        else:
            primary = next((s for s in slots if free_of_plans(s.start)), None)
        rest = [s for s in slots if s is not primary]
        chosen = diverse(
            rest,
            settings.max_options - (primary is not None),
            mission.timezone,
            beside=[primary] if primary else [],
        )
        options = [(primary, "plan")] if primary else []
        options += [(s, "alternative") for s in chosen]
        if not options:
            why = search.reasons or (f"no start after {earliest.isoformat()} fits every rule",)
            raise Conflict(f"no time left to propose for {meeting_id}: {'; '.join(why)}")
        for p in open_proposals:
            if p.meeting_id == meeting_id:
                uow.update_proposal(p.id, status="superseded")
                uow.set_option_status([o.id for o in p.open_options], "released")
        last_start = max(s.start for s, _ in options)
        token = secrets.token_urlsafe(32)  # 256 random bits
        proposal = uow.add_proposal(
            mission_id,
            meeting_id,
            token_hash=token_hash(token),
            now=now,
            expires_at=min(now + settings.proposal_ttl, last_start),
            options=[(s.start, s.end, kind) for s, kind in options],
        )
        uow.set_meeting_state(mission_id, meeting_id, "proposed")
        link = settings.booking_url.format(token=token)
        sent: list[str] = []
        if services.messages is not None:
            envelopes = services.messages.booking_request(
                mission,
                meeting_id,
                options=[(o.start, o.end) for o in proposal.options],
                link=link,
                expires_at=proposal.expires_at,
                now=now,
            )
            sent = queue(uow, envelopes, now, mission_id, meeting_id, "booking-request")
        reasons: tuple[str, ...] = ()
        if len(options) < settings.min_options:
            reasons = (f"only {len(options)} option(s) left", *search.reasons)
        return ProposalCreated(
            proposal=proposal, token=token, link=link, messages=tuple(sent), reasons=reasons
        )


def proposal_page(services: Services, token: str) -> ProposalPage:
    """What booking link `token` opens, read-only. Raises `NotFound` for a token that names nothing.

    An expired or used link still opens (the page explains, with a 410): `usable` is False.
    Only the proposal behind this exact token is ever read.
    """
    now = services.clock.now()
    with services.uow() as uow:
        proposal = uow.proposal_by_token_hash(token_hash(token))
        if proposal is None:
            raise NotFound("no booking link like that")
        mission = uow.mission(proposal.mission_id)
    why = ""
    try:
        check_usable(proposal, now)
    except (NotFound, Conflict) as exc:
        why = str(exc)
    return ProposalPage(
        proposal=proposal,
        mission=mission,
        meeting=mission.meeting(proposal.meeting_id),
        usable=not why,
        why=why,
    )


def decline(
    services: Services,
    token: str,
    *,
    note: str = "",
    available: Sequence[tuple[datetime, datetime]] = (),
    counterpart_id: str | None = None,
) -> DeclineResult:
    """The counterpart answers "none of these work", with a note and the times they could do.

    The proposal is closed ("declined") and flagged for the coordinator; the meeting's state
    becomes "declined". The `available` spans (aware datetimes) become the counterpart's hours
    on each local date they touch (overrides in its own zone), so the next proposal or re-plan
    uses them; other dates keep the usual hours. `counterpart_id` names which of the meeting's
    counterparts answered (default: its first). `dependents` lists the meetings after it.
    Raises `NotFound`, `Expired`, `ConfigError` (a span that is empty).
    """
    now = services.clock.now()
    spans = [(ensure_utc(s, "available start"), ensure_utc(e, "available end")) for s, e in available]
    for i, (s, e) in enumerate(spans):
        if e <= s:
            raise ConfigError(f"{s.isoformat()}–{e.isoformat()} is empty", f"available[{i}]")
    with services.uow() as uow:
        found = uow.proposal_by_token_hash(token_hash(token))
        if found is None:
            raise NotFound("no booking link like that")
        uow.lock_mission(found.mission_id)
        proposal = uow.proposal(found.id)
        check_usable(proposal, now)
        mission = uow.mission(proposal.mission_id)
        meeting = mission.meeting(proposal.meeting_id)
        uow.set_option_status([o.id for o in proposal.open_options], "released")
        uow.update_proposal(proposal.id, status="declined", needs_attention=True, note=note, available=spans)
        uow.set_meeting_state(proposal.mission_id, meeting.id, "declined")
        who = counterpart_id or (meeting.counterparts[0] if meeting.counterparts else None)
        if spans and who is not None:
            if who not in meeting.counterparts:
                raise NotFound(f"{who!r} is not a counterpart of {meeting.id}")
            holder = mission.participant(who)
            overrides = dict(holder.overrides)
            overrides.update(wall_ranges(spans, holder.timezone))
            uow.set_overrides(proposal.mission_id, who, overrides)
        return DeclineResult(proposal=uow.proposal(proposal.id), dependents=dependents(mission, meeting.id))


def list_proposals(services: Services, mission_id: int, *, status: str | None = None) -> list[Proposal]:
    """Every proposal of the mission (optionally with one status), oldest first."""
    with services.uow() as uow:
        return uow.proposals(mission_id, status=status)


# --- helpers ---------------------------------------------------------------------------------
def diverse(slots: Sequence[Slot], count: int, zone_name: str, *, beside: Sequence[Slot] = ()) -> list[Slot]:
    """Up to `count` of the ranked `slots`, spread over days and times of day (in the home zone).

    First the best slot of each day whose time of day differs from every chosen one (and
    from those already offered `beside` them) by at least an hour, then the best of each
    remaining day, then the best left that overlaps no chosen slot, then whatever ranks next.
    """
    chosen: list[Slot] = []
    offered = list(beside)

    def minute(s: Slot) -> int:
        t = to_local(s.start, zone_name)
        return t.hour * 60 + t.minute

    def ok(s: Slot, new_day: bool, new_time: bool, apart: bool) -> bool:
        taken = chosen + offered
        days = {local_date(c.start, zone_name) for c in taken}
        if new_day and local_date(s.start, zone_name) in days:
            return False
        if new_time and any(abs(minute(s) - minute(c)) < DIFFERENT_TIME.seconds // 60 for c in taken):
            return False
        return not (apart and any(s.start < c.end and c.start < s.end for c in taken))

    for rule in ((True, True, True), (True, False, True), (False, False, True), (False, False, False)):
        for s in slots:
            if len(chosen) >= count:
                return sorted(chosen, key=lambda c: c.start)
            if s not in chosen and ok(s, *rule):
                chosen.append(s)
    return sorted(chosen, key=lambda c: c.start)


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


__all__ = [
    "DeclineResult",
    "ProposalCreated",
    "ProposalPage",
    "decline",
    "diverse",
    "list_proposals",
    "proposal_page",
    "propose",
    "wall_ranges",
]
