"""Timed work: reminders and follow-ups follow the booking; nudges, expiries and digests; all once.

Real database (SQLite and PostgreSQL), real letters (`TimedMail`); the clock is moved, never slept.
The sample meeting brown-jetro booked at Feb 16 00:00 UTC is Mon 15 Feb 19:00 in Toronto
(brown, English) and Tue 16 Feb 09:00 in Tokyo (the JETRO contact, Japanese).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from scheduler.core.timing import Timing
from scheduler.messages.timed import TimedMail
from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, cancel, import_mission, propose, reschedule
from scheduler.services.actions import ItemChange, create_item, update_item
from scheduler.services.timed import (
    add_action_item,
    finished_for,
    pending_for,
    run_due,
    set_timing,
    sweep,
)
from scheduler.store import Store
from scheduler.store.tables import OutboxRow
from tests.store.sample import at, sample_mission

BROWN, JETRO = "brown@brampton.example.org", "jetro@example.jp"
VIDEO = "https://meet.example.org/brampton-tokyo"
START = at(16, 0)


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, replace(sample_mission(), video_url=VIDEO))


def pending(
    services: Services, mission_id: int, meeting_id: str = "brown-jetro"
) -> list[tuple[str, str, str, datetime]]:
    return [
        (d.kind, d.detail, d.recipient.email if d.recipient else "", d.due_at)
        for d in pending_for(services, mission_id, meeting_id)
    ]


def queued(store: Store, kind: str) -> list[tuple[str, EmailMessage]]:
    """(recipient, parsed message) of each outbox message of `kind`, in order."""
    with store.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(
            select(OutboxRow).where(OutboxRow.kind == kind).order_by(OutboxRow.id)
        ).all()
        return [(r.recipients[0], message_from_bytes(r.raw, policy=policy.default)) for r in rows]  # type: ignore[misc]


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def run(services: Services, clock: FixedClock, when: datetime):  # type: ignore[no-untyped-def]
    clock.at = when
    sweep(services)
    return run_due(services, TimedMail())


def test_booking_writes_reminders_at_the_offsets_and_follow_ups_in_each_recipients_morning(
    services: Services, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    assert pending(services, mission_id) == [
        ("reminder", "24h", BROWN, at(15, 0)),
        ("reminder", "24h", JETRO, at(15, 0)),
        ("reminder", "1h", BROWN, at(15, 23)),
        ("reminder", "1h", JETRO, at(15, 23)),
        # 09:00 the next morning, each in their own zone: Toronto 16 Feb 09:00 EST, Tokyo 17 Feb 09:00 JST
        ("follow_up", "", BROWN, at(16, 14)),
        ("follow_up", "", JETRO, at(17, 0)),
    ]


def test_the_missions_timing_setting_decides_the_offsets_and_the_morning(
    services: Services, mission_id: int
) -> None:
    set_timing(
        services,
        mission_id,
        Timing(reminders=(timedelta(hours=48), timedelta(minutes=15)), follow_up_days=2, follow_up_hour=8),
    )
    book_time(services, mission_id, "brown-jetro", START)
    assert [(k, d, to, due) for k, d, to, due in pending(services, mission_id) if to == BROWN] == [
        ("reminder", "48h", BROWN, at(14, 0)),
        ("reminder", "15m", BROWN, at(15, 23, 45)),
        ("follow_up", "", BROWN, at(17, 13)),  # Wed 17 Feb 08:00 EST
    ]


def test_rescheduling_moves_the_reminders_and_follow_ups(services: Services, mission_id: int) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    reschedule(services, mission_id, "brown-jetro", at(17, 1))
    assert pending(services, mission_id) == [
        ("reminder", "24h", BROWN, at(16, 1)),
        ("reminder", "24h", JETRO, at(16, 1)),
        ("reminder", "1h", BROWN, at(17, 0)),
        ("reminder", "1h", JETRO, at(17, 0)),
        ("follow_up", "", BROWN, at(17, 14)),
        ("follow_up", "", JETRO, at(18, 0)),
    ]
    old = finished_for(services, mission_id, "brown-jetro")
    assert sorted((d.state, d.outcome) for d in old) == [("cancelled", "the meeting was moved")] * 6


def test_cancelling_removes_the_reminders_and_follow_ups(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    cancel(services, mission_id, "brown-jetro")
    assert pending(services, mission_id) == []
    report = run(services, clock, at(16, 14))  # past every reminder and follow-up time
    assert (report.done, queued(store, "reminder"), queued(store, "follow-up")) == ((), [], [])


def test_a_due_reminder_is_queued_once_in_each_recipients_language_and_zone_with_the_video_link(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    first = run(services, clock, at(15, 0))
    second = run(services, clock, at(15, 0, 5))
    assert (len(first.messages), second.messages) == (2, ())
    (to_brown, brown), (to_jetro, jetro) = sorted(queued(store, "reminder"), key=lambda t: t[0])
    assert (to_brown, to_jetro) == (BROWN, JETRO)
    assert str(brown["Subject"]) == "Reminder: Brown Jetro"
    assert "Mon 15 Feb 2027 19:00" in text_of(brown)
    assert VIDEO in text_of(brown)
    assert str(jetro["Subject"]) == "【リマインダー】Brown Jetro / Reminder: Brown Jetro"
    assert "2027年2月16日(火) 09:00" in text_of(jetro)  # Tokyo's own morning, in Japanese
    assert VIDEO in text_of(jetro)


def test_a_reminder_missed_while_down_is_sent_if_the_meeting_has_not_begun(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    report = run(services, clock, at(15, 12))  # the 24 h reminder is 12 hours late
    assert len(report.messages) == 2
    assert sorted(to for to, _ in queued(store, "reminder")) == [BROWN, JETRO]
    assert [d for k, d, _, _ in pending(services, mission_id) if k == "reminder"] == ["1h", "1h"]


def test_of_several_overdue_reminders_only_the_latest_is_sent(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    report = run(services, clock, at(15, 23, 30))  # down through both reminder times
    assert len(report.messages) == 2
    assert len(report.dropped) == 2
    outcomes = sorted(d.outcome for d in finished_for(services, mission_id, "brown-jetro"))
    assert outcomes == [
        f"1h reminder to {BROWN}",
        f"1h reminder to {JETRO}",
        "overdue: superseded by the 1h reminder, sent instead",
        "overdue: superseded by the 1h reminder, sent instead",
    ]
    [(_, brown), _] = sorted(queued(store, "reminder"), key=lambda t: t[0])
    assert "Mon 15 Feb 2027 19:00" in text_of(brown)  # the one sent names the meeting's time


def test_overdue_reminders_collapse_to_the_latest_even_when_claimed_in_separate_batches(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    clock.at = at(15, 23, 30)
    sweep(services)
    report = run_due(services, TimedMail(), limit=1)  # each row in its own batch, earliest first
    assert (len(report.messages), len(report.dropped)) == (2, 2)
    sent = sorted(d.detail for d in finished_for(services, mission_id, "brown-jetro") if d.state == "done")
    assert sent == ["1h", "1h"]


def test_a_reminder_found_after_the_meeting_began_is_dropped_and_recorded(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    report = run(services, clock, START + timedelta(minutes=10))
    assert queued(store, "reminder") == []
    assert len(report.dropped) == 4
    dropped = [d for d in finished_for(services, mission_id, "brown-jetro") if d.kind == "reminder"]
    assert {(d.state, d.outcome) for d in dropped} == {
        ("dropped", "missed: the meeting began at 2027-02-16T00:00:00+00:00")
    }


def test_the_follow_up_goes_in_each_recipients_morning_with_the_action_items(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    add_action_item(services, mission_id, "brown-jetro", "Send the investment brochure", "brown")
    add_action_item(services, mission_id, "brown-jetro", "Introduce the Brampton incubator")
    run(services, clock, at(16, 13, 59))
    assert queued(store, "follow-up") == []
    run(services, clock, at(16, 14))  # 09:00 in Toronto: brown's morning, midnight in Tokyo
    assert [to for to, _ in queued(store, "follow-up")] == [BROWN]
    run(services, clock, at(17, 0))  # 09:00 in Tokyo
    (_, brown), (to, jetro) = queued(store, "follow-up")
    assert to == JETRO
    assert "- Brown: Send the investment brochure\n- Introduce the Brampton incubator" in text_of(brown)
    assert "Introduce the Brampton incubator" in text_of(jetro)


def test_the_counterparts_follow_up_lists_only_the_items_shared_with_them(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jetro", START)
    create_item(services, mission_id, "brown-jetro", text="Send the investment brochure", owner=JETRO)
    create_item(services, mission_id, "brown-jetro", text="Check their references", shared=False)
    dropped = create_item(services, mission_id, "brown-jetro", text="An idea we dropped")
    update_item(services, mission_id, dropped.id, ItemChange(state="dropped"))
    run(services, clock, at(17, 14))  # both mornings have passed
    letters = dict(queued(store, "follow-up"))
    assert "Send the investment brochure" in text_of(letters[JETRO])
    assert "Check their references" not in text_of(letters[JETRO])
    assert "Check their references" in text_of(letters[BROWN])  # delegates see every item
    assert "An idea we dropped" not in text_of(letters[BROWN]) + text_of(letters[JETRO])


def test_an_unanswered_booking_request_is_nudged_after_three_days(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    propose(services, mission_id, "brown-jcci")
    run(services, clock, clock.at + timedelta(days=3) - timedelta(minutes=1))
    assert queued(store, "nudge") == []
    run(services, clock, clock.at + timedelta(minutes=1))
    [(to, msg)] = queued(store, "nudge")
    assert to == "jcci@example.jp"
    assert "日程調整" in text_of(msg)
    run(services, clock, clock.at + timedelta(days=1))
    assert len(queued(store, "nudge")) == 1


def test_an_answered_booking_request_is_not_nudged(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jcci")
    sweep(services)
    book_time(services, mission_id, "brown-jcci", created.proposal.options[0].start)
    run(services, clock, clock.at + timedelta(days=3))
    assert queued(store, "nudge") == []


def test_an_expired_proposal_releases_its_times_and_tells_the_coordinator(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jcci")
    expires = created.proposal.expires_at
    run(services, clock, expires - timedelta(minutes=1))
    assert queued(store, "expiry-notice") == []
    run(services, clock, expires)
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(created.proposal.id)
        state = uow.meeting_statuses(mission_id)["brown-jcci"].state
    assert (proposal.status, {o.status for o in proposal.options}) == ("expired", {"released"})
    assert state in ("planned", "unplanned")
    [(to, msg)] = queued(store, "expiry-notice")
    assert to == "edo@brampton.example.org"
    assert "Brown Jcci" in str(msg["Subject"])


def test_the_daily_digest_tells_the_coordinator_what_changed_and_what_is_due(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    sweep(services)  # 2027-02-01 12:00 UTC is 07:00 in Toronto: the digest is at 08:00
    [digest] = pending_for(services, mission_id)
    assert (digest.kind, digest.due_at) == ("digest", datetime(2027, 2, 1, 13, 0, tzinfo=UTC))
    clock.at = at(14, 12)
    book_time(services, mission_id, "brown-jetro", START)
    run(services, clock, at(14, 13))  # the digest came due while the service was down
    [(to, msg)] = queued(store, "digest")
    body = text_of(msg)
    assert to == "edo@brampton.example.org"
    assert "brown-jetro booked" in body
    assert "reminder 24h brown-jetro to brown@brampton.example.org" in body
    [next_one] = [d for d in pending_for(services, mission_id) if d.kind == "digest"]
    assert next_one.due_at == at(15, 13)


def test_the_sweep_gives_a_meeting_fixed_in_the_mission_file_its_reminders_once(services: Services) -> None:
    fixed = sample_mission()
    fixed = replace(
        fixed,
        meetings=tuple(replace(m, fixed_start=START) if m.id == "brown-jetro" else m for m in fixed.meetings),
    )
    mission_id = import_mission(services, fixed)
    assert pending(services, mission_id) == []
    first, again = sweep(services), sweep(services)
    assert (first, again) == (7, 0)  # 4 reminders, 2 follow-ups, 1 digest; then nothing new
    assert [k for k, *_ in pending(services, mission_id)] == ["reminder"] * 4 + ["follow_up"] * 2


def test_an_items_reminder_goes_once_on_the_tokyo_owners_monday_and_stops_when_done(
    services: Services, store: Store, clock: FixedClock, mission_id: int
) -> None:
    item = create_item(
        services,
        mission_id,
        "brown-jetro",
        text="Send the list",
        owner=JETRO,
        due_date=date(2027, 2, 22),
    )
    run(services, clock, datetime(2027, 2, 21, 23, 59, tzinfo=UTC))  # Sunday 18:59 in Toronto
    assert queued(store, "action-due") == []
    run(services, clock, datetime(2027, 2, 22, 0, 0, tzinfo=UTC))  # Monday 09:00 in Tokyo
    run(services, clock, datetime(2027, 2, 22, 0, 1, tzinfo=UTC))
    assert [to for to, _ in queued(store, "action-due")] == [JETRO]
    update_item(services, mission_id, item.id, ItemChange(state="done"))
    run(services, clock, datetime(2027, 2, 24, tzinfo=UTC))
    assert queued(store, "action-overdue") == []
