"""The use cases with the real message factory (`scheduler.messages.mail.MailMessages`): what lands in
the outbox is a real iMIP invitation, updated in place on a reschedule and cancelled with the same UID."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from scheduler.messages.mail import MailMessages
from scheduler.ports import FixedClock
from scheduler.services import Services, book, cancel, import_mission, propose, reschedule
from scheduler.store import Store, open_store
from scheduler.store.tables import OutboxRow
from tests.store.sample import NOW, at, sample_mission


@pytest.fixture
def real(tmp_path: Path) -> Iterator[tuple[Services, Store]]:
    store = open_store(f"sqlite:///{tmp_path / 'scheduler.db'}")
    yield Services(uow=store.unit_of_work, clock=FixedClock(NOW), messages=MailMessages()), store
    store.close()


def calendars(store: Store, kind: str) -> list[tuple[str, icalendar.Calendar]]:
    """(recipient, parsed text/calendar part) of each queued message of that kind."""
    out = []
    with store.unit_of_work(write=False) as uow:
        for row in uow.session.scalars(
            select(OutboxRow).where(OutboxRow.kind == kind).order_by(OutboxRow.id)
        ):
            msg = message_from_bytes(row.raw, policy=policy.default)
            part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
            out.append((row.recipients[0], icalendar.Calendar.from_ical(part.get_payload(decode=True))))
    return out


def test_book_reschedule_cancel_queue_one_event_updated_in_place(real: tuple[Services, Store]) -> None:
    services, store = real
    mission_id = import_mission(services, sample_mission())
    created = propose(services, mission_id, "brown-jetro")
    with store.unit_of_work(write=False) as uow:
        (request,) = uow.session.scalars(select(OutboxRow).where(OutboxRow.kind == "booking-request")).all()
        body = message_from_bytes(request.raw, policy=policy.default)
        assert created.link in body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    option = created.proposal.options[0]
    book(services, created.token, option.id)
    reschedule(services, mission_id, "brown-jetro", at(18, 0))
    cancel(services, mission_id, "brown-jetro")

    def events(kind: str) -> list[tuple[str, str, str, int, str]]:
        found = []
        for to, cal in calendars(store, kind):
            ev = next(iter(cal.walk("VEVENT")))
            found.append(
                (
                    to,
                    str(cal["METHOD"]),
                    str(ev["UID"]),
                    int(ev["SEQUENCE"]),
                    ev.decoded("DTSTART").isoformat(),
                )
            )
        return found

    invited, updated, cancelled = events("invitation"), events("update"), events("cancel")
    recipients = {"brown@brampton.example.org", "jetro@example.jp"}
    assert {to for to, *_ in invited} == recipients
    uids = {uid for _, _, uid, _, _ in invited + updated + cancelled}
    assert len(uids) == 1
    assert {(m, seq) for _, m, _, seq, _ in invited} == {("REQUEST", 0)}
    assert {(m, seq) for _, m, _, seq, _ in updated} == {("REQUEST", 1)}
    assert {(m, seq) for _, m, _, seq, _ in cancelled} == {("CANCEL", 2)}
    from datetime import datetime

    assert {datetime.fromisoformat(s) for *_, s in invited} == {option.start}
    assert {datetime.fromisoformat(s) for *_, s in updated} == {at(18, 0)}
