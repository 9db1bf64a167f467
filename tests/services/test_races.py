"""Many bookings racing for overlapping times, each in its own thread, session and connection.

Three contests run at once, each for the same instant: eight meetings of one delegate, six
of one counterpart, six that need the only interpreter. Exactly one booking wins each
contest; every other gets `Conflict`; nothing of a loser is left (claims, booking, messages).
"""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from scheduler.core.bookings import claim_cell, claims_for
from scheduler.core.models import Mission
from scheduler.errors import Conflict
from scheduler.services import Services, book, import_mission, token_hash
from scheduler.store import Store
from scheduler.store.tables import BookingRow, ClaimRow, OutboxRow
from tests.builders import counterpart, delegate, meeting, mission
from tests.store.sample import at

CONTESTED = at(16, 0)  # Monday 19:00 in Toronto, Tuesday 09:00 in Tokyo


def race_mission() -> Mission:
    meetings = [meeting(f"delegate-{i}", ["d0"], [f"ca{i}"]) for i in range(8)]
    meetings += [meeting(f"counterpart-{i}", [f"db{i}"], ["cb"]) for i in range(6)]
    meetings += [
        meeting(f"resource-{i}", [f"dc{i}"], [f"cc{i}"], resources=["interpreter"]) for i in range(6)
    ]
    delegates = ["d0", *(f"db{i}" for i in range(6)), *(f"dc{i}" for i in range(6))]
    counterparts = [*(f"ca{i}" for i in range(8)), "cb", *(f"cc{i}" for i in range(6))]
    return mission(
        delegates=[delegate(d) for d in delegates],
        counterparts=[counterpart(c) for c in counterparts],
        meetings=meetings,
        resources={"interpreter": 1},
    )


def test_exactly_one_booking_wins_each_contested_time(services: Services, store: Store) -> None:
    plan = race_mission()
    mission_id = import_mission(services, plan)
    tokens: dict[str, tuple[str, int]] = {}
    with store.unit_of_work() as uow:  # one proposal per meeting, each offering the contested time
        for m in plan.meetings:
            token = f"token-{m.id}-" + "x" * 40
            p = uow.add_proposal(
                mission_id,
                m.id,
                token_hash=token_hash(token),
                now=services.clock.now(),
                expires_at=at(15, 0),
                options=[(CONTESTED, CONTESTED + m.duration, "plan")],
            )
            tokens[m.id] = (token, p.options[0].id)

    start = threading.Barrier(len(tokens))
    outcomes: dict[str, str] = {}

    def attempt(meeting_id: str) -> None:
        token, option_id = tokens[meeting_id]
        start.wait(10)
        try:
            book(services, token, option_id)
            outcomes[meeting_id] = "won"
        except Conflict:
            outcomes[meeting_id] = "conflict"
        except Exception as exc:  # recorded, so the assertion shows it
            outcomes[meeting_id] = repr(exc)

    threads = [threading.Thread(target=attempt, args=(mid,)) for mid in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    winners = sorted(mid for mid, o in outcomes.items() if o == "won")
    assert len(outcomes) == len(tokens)
    assert Counter(mid.rsplit("-", 1)[0] for mid in winners) == {
        "delegate": 1,
        "counterpart": 1,
        "resource": 1,
    }
    assert set(outcomes.values()) == {"won", "conflict"}

    cell = claim_cell(plan)
    expected_claims = sum(len(claims_for(plan, plan.meeting(mid), CONTESTED, cell)) for mid in winners)
    with store.unit_of_work(write=False) as uow:
        claims = uow.session.scalar(select(func.count()).select_from(ClaimRow))
        booked = sorted(uow.session.scalars(select(BookingRow.meeting_id)))
        # Invitations go to the winners only; the losers' links get new times (issue 11).
        mailed = set(uow.session.scalars(select(OutboxRow.meeting_id).where(OutboxRow.kind == "invitation")))
        statuses = {mid: s.state for mid, s in uow.meeting_statuses(mission_id).items()}
    assert claims == expected_claims
    assert booked == winners
    assert mailed == set(winners)
    assert sorted(mid for mid, state in statuses.items() if state == "booked") == winners


def test_the_same_link_clicked_many_times_at_once_books_once(services: Services, store: Store) -> None:
    from scheduler.errors import Expired
    from scheduler.services import propose
    from tests.store.sample import sample_mission

    mission_id = import_mission(services, sample_mission())
    created = propose(services, mission_id, "brown-jetro")
    options = [o.id for o in created.proposal.options]
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt(option_id: int) -> None:
        start.wait(10)
        try:
            book(services, created.token, option_id)
            outcomes.append("won")
        except (Expired, Conflict) as exc:
            outcomes.append(type(exc).__name__)
        except Exception as exc:  # recorded, so the assertion shows it
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(options[i % len(options)],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["Expired"] * 5 + ["won"]
    with store.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(BookingRow)) == 1
        invitations = uow.session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "invitation")
        )
    assert invitations == 2  # brown and jetro's contact, once
