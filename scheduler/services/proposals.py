"""Proposals: the options a counterpart is offered behind a booking link, and their answers.

Time across a mission is scarce, so options are not exclusive holds: the *plan* options of
open proposals never clash with each other (no shared person closer than the buffer, no
shared single resource), alternatives may. Booking any option withdraws the options it makes
impossible (see `booking.withdraw_conflicts`); a proposal left with none is flagged.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.core.bookings import MeetingStatus, Proposal, dependents
from scheduler.core.intervals import IntervalSet, ensure_utc
from scheduler.core.models import Meeting, Mission
from scheduler.core.options import Competition, OptionChoice, OptionRequest, choose_options
from scheduler.errors import ConfigError, Conflict, NotFound
from scheduler.services.booking import check_usable
from scheduler.services.context import Services, token_hash
from scheduler.services.negotiation import (
    REFILL_TIME_LIMIT,
    candidates,
    open_offers,
    policy,
    queue,
    raise_item,
    recover,
    report_competition,
)
from scheduler.services.ports import UnitOfWork
from scheduler.services.webhook_events import counterpart_declined, proposal_created

PROPOSE_ALL_TIME_LIMIT = 7.0  # seconds of CP-SAT for every meeting's options at once (10 s with the rest)
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


def competes(c: Competition) -> str:
    return (
        f"{c.meeting} at {c.start.isoformat()} competes with {c.other_meeting} at {c.other_start.isoformat()}"
    )


# --- use cases -------------------------------------------------------------------------------
def propose(
    services: Services,
    mission_id: int,
    meeting_id: str,
    *,
    plan_start: datetime | None = None,
    windows: Sequence[tuple[datetime, datetime]] = (),
    holder: str = "",
) -> ProposalCreated:
    """Offer the counterpart up to `Settings.max_options` options behind a new link, in one transaction.

    The options are chosen with `core.options.choose_options` against every other open
    proposal's options, so that whichever of them the counterparts pick, this one's stay
    possible (where the mission's time allows; `reasons` names any option that competes).
    Planned slots of meetings not yet proposed count as offered too, so the plan stays possible.
    The plan's slot (`plan_start`, else the stored `planned_start`, else the best ranked chosen)
    is preferred and comes first as "plan", the rest in date order. Options are at least
    `Settings.min_notice` from now and respect every rule as of now (booked meetings fixed).
    The link expires after
    `Settings.proposal_ttl`, never after the last option starts. An older open proposal for
    the meeting is superseded. A booking request is queued to the counterpart contacts.
    Plan options of expired proposals no longer count. `windows` (of counterpart `holder`)
    limit the options to times they said they can do, as after a decline.
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
        open_proposals = uow.proposals(mission_id, status="open")
        rules = policy(uow, mission_id)
        request, why = _request(
            services, mission, statuses, meeting_id, rules.min_options, windows, holder, plan_start
        )
        others = open_offers([p for p in open_proposals if p.meeting_id != meeting_id], now)
        # Meetings planned but not yet proposed keep their planned slot: this one's options leave
        # the rest of the plan possible.
        others.update(
            (mid, [s.planned_start])
            for mid, s in statuses.items()
            if mid != meeting_id
            and mid not in others
            and s.booking is None
            and s.planned_start is not None
            and s.state == "planned"
        )
        choice = choose_options(mission, [request], offered=others, time_limit=REFILL_TIME_LIMIT)
        if not choice.chosen[meeting_id]:
            why = why or (f"no start after {earliest.isoformat()} fits every rule",)
            raise Conflict(f"no time left to propose for {meeting_id}: {'; '.join(why)}")
        return _open_proposal(services, uow, mission, mission_id, request, choice, why, rules.min_options)


@dataclass(frozen=True, kw_only=True)
class ProposalBatch:
    """What `propose_all` did: the proposals opened, and the meetings it could not offer anything, why."""

    created: tuple[ProposalCreated, ...]
    skipped: tuple[tuple[str, str], ...] = ()


def propose_all(
    services: Services, mission_id: int, meeting_ids: Sequence[str] | None = None
) -> ProposalBatch:
    """Open a proposal for every meeting with a counterpart that is neither booked nor proposed yet.

    The options of all of them are chosen together (`core.options.choose_options`, against
    the options already out), so that any combination of picks by different counterparts
    can happen; in one transaction, each with its own link and booking request.
    `meeting_ids` limits it to those meetings. Raises `NotFound` for an unknown id.
    """
    now = services.clock.now()
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        mission = uow.mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
        for mid in meeting_ids or ():
            if mid not in statuses:
                raise NotFound(f"no meeting {mid!r} in mission {mission_id}")
        live = [p for p in uow.proposals(mission_id, status="open") if p.expires_at > now]
        proposed = {p.meeting_id for p in live}
        wanted = [
            m.id
            for m in mission.meetings
            if m.counterparts
            and m.fixed_start is None
            and statuses[m.id].booking is None
            and m.id not in proposed
            and (meeting_ids is None or m.id in meeting_ids)
        ]
        rules = policy(uow, mission_id)
        built = [_request(services, mission, statuses, mid, rules.min_options) for mid in wanted]
        choice = choose_options(
            mission, [r for r, _ in built], offered=open_offers(live, now), time_limit=PROPOSE_ALL_TIME_LIMIT
        )
        if choice.competing:
            report_competition(services, uow, mission, mission_id, choice.competing, now)
        created, skipped = [], []
        for request, why in built:
            if not choice.chosen[request.meeting_id]:
                skipped.append((request.meeting_id, "; ".join(why) or "no time left that fits every rule"))
                continue
            created.append(
                _open_proposal(services, uow, mission, mission_id, request, choice, why, rules.min_options)
            )
        return ProposalBatch(created=tuple(created), skipped=tuple(skipped))


def _request(
    services: Services,
    mission: Mission,
    statuses: Mapping[str, MeetingStatus],
    meeting_id: str,
    need: int,
    windows: Sequence[tuple[datetime, datetime]] = (),
    holder: str = "",
    plan_start: datetime | None = None,
) -> tuple[OptionRequest, tuple[str, ...]]:
    """What to ask the option chooser for one meeting, and the finder's reasons when it is short."""
    earliest = services.clock.now() + services.settings.min_notice
    wanted = plan_start or statuses[meeting_id].planned_start
    slots, why = candidates(mission, meeting_id, earliest, windows, holder)
    request = OptionRequest(
        meeting_id=meeting_id,
        candidates=slots,
        need=need,
        want=services.settings.max_options,
        planned=ensure_utc(wanted) if wanted is not None else None,
    )
    return request, why


def _open_proposal(
    services: Services,
    uow: UnitOfWork,
    mission: Mission,
    mission_id: int,
    request: OptionRequest,
    choice: OptionChoice,
    why: tuple[str, ...],
    need: int,
) -> ProposalCreated:
    """Store the chosen options behind a new link (superseding an older open one) and queue the request."""
    settings, now, meeting_id = services.settings, services.clock.now(), request.meeting_id
    # The plan's slot, else the best ranked chosen, leads as "plan"; the rest in date order.
    chosen = sorted(choice.chosen[meeting_id], key=lambda s: s.start)
    rank = {s.start: i for i, s in enumerate(request.candidates)}
    lead = next((s for s in chosen if s.start == request.planned), None)
    lead = lead or min(chosen, key=lambda s: rank[s.start], default=None)
    options = [(s, "plan") for s in chosen if s is lead]
    options += [(s, "alternative") for s in chosen if s is not lead]
    for p in uow.proposals(mission_id, status="open", meeting_id=meeting_id):
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
    proposal_created(uow, mission, proposal, now=now)
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
    if len(options) < need:
        reasons = (f"only {len(options)} option(s) left", *why)
    mine = [c for c in choice.competing if meeting_id in (c.meeting, c.other_meeting)]
    reasons += tuple(competes(c) for c in mine)
    return ProposalCreated(proposal=proposal, token=token, link=link, messages=tuple(sent), reasons=reasons)


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

    The proposal is closed ("declined"), its options released, and the `available` spans
    (aware datetimes) kept on it: a booking link never edits the coordinator's data. An
    attention item with the note and the windows goes to the coordinator, with its email, in
    the same transaction. After the commit, new options inside the windows are chosen
    (`negotiation.recover`) and added to the same link, which opens again, and the item is
    resolved as "new times sent"; when nothing fits, the item stays open. `counterpart_id`
    names which of the meeting's counterparts answered (default: its first). `dependents`
    lists the meetings after it.
    Raises `NotFound`, `Expired`, `ConfigError` (a span that is empty).
    """
    now = services.clock.now()
    spans = [(ensure_utc(s, "available start"), ensure_utc(e, "available end")) for s, e in available]
    for i, (s, e) in enumerate(spans):
        if e <= s:
            raise ConfigError(f"{s.isoformat()}–{e.isoformat()} is empty", f"available[{i}]")
    spans = list(IntervalSet(spans))  # adjacent hours ticked are one window
    with services.uow() as uow:
        found = uow.proposal_by_token_hash(token_hash(token))
        if found is None:
            raise NotFound("no booking link like that")
        uow.lock_mission(found.mission_id)
        proposal = uow.proposal(found.id)
        check_usable(proposal, now)
        mission = uow.mission(proposal.mission_id)
        meeting = mission.meeting(proposal.meeting_id)
        who = counterpart_id or (meeting.counterparts[0] if meeting.counterparts else None)
        if who is not None and who not in meeting.counterparts:
            raise NotFound(f"{who!r} is not a counterpart of {meeting.id}")
        uow.set_option_status([o.id for o in proposal.open_options], "released")
        uow.update_proposal(
            proposal.id,
            status="declined",
            needs_attention=True,
            note=note,
            available=spans,
            available_for=who or "",
        )
        uow.set_meeting_state(proposal.mission_id, meeting.id, "declined")
        counterpart_declined(
            uow, mission, proposal, counterpart_id=who or "", note=note, windows=spans, now=now
        )
        raise_item(
            services,
            uow,
            mission,
            proposal.mission_id,
            "declined",
            summary=f"{meeting.id}: {who or 'the counterpart'} answered that none of the times work",
            now=now,
            meeting_id=meeting.id,
            proposal_id=proposal.id,
            note=note,
            detail={
                "counterpart": who or "",
                "windows": [[s.isoformat(), e.isoformat()] for s, e in spans],
            },
        )
        after = dependents(mission, meeting.id)
    if spans:
        recover(services, proposal.mission_id, [proposal.id])
    with services.uow() as uow:
        return DeclineResult(proposal=uow.proposal(proposal.id), dependents=after)


def list_proposals(services: Services, mission_id: int, *, status: str | None = None) -> list[Proposal]:
    """Every proposal of the mission (optionally with one status), oldest first."""
    with services.uow() as uow:
        return uow.proposals(mission_id, status=status)


__all__ = [
    "DeclineResult",
    "ProposalBatch",
    "ProposalCreated",
    "ProposalPage",
    "decline",
    "list_proposals",
    "proposal_page",
    "propose",
    "propose_all",
]
