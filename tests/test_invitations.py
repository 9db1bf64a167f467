"""A plan → invitations, then updates and cancellations, sent through the outbox to a real SMTP server."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.core.models import Mission, Plan, PlannedMeeting, Score
from scheduler.ical.invite import meeting_uid
from scheduler.mail.compose import envelope
from scheduler.mail.ledger import MeetingLedger
from scheduler.mail.outbox import FileOutbox
from scheduler.mail.transports import SmtpTransport
from scheduler.messages.invitations import changes
from tests.conftest import Received, SmtpServer
from tests.ical.jsparse import parse_with_icaljs, utc
from tests.mail import missions
from tests.mail.missions import BOOKED, FEB_START, MAR_START

NO_SCORE = Score(optional_free=0, worst_comfort=0, mean_comfort=0, comfort={}, value=0)


@pytest.fixture
def trade_mission() -> Mission:
    return missions.trade_mission()


def plan_at(mission: Mission, start: datetime | None) -> Plan:
    meeting = mission.meetings[0]
    planned = (
        ()
        if start is None
        else (
            PlannedMeeting(
                meeting_id=meeting.id,
                start=start,
                end=start + meeting.duration,
                local={},
                resources=meeting.resources,
                score=NO_SCORE,
            ),
        )
    )
    return Plan(status="optimal", meetings=planned, unscheduled=(), objective={})


def send_round(
    mission: Mission, start: datetime | None, folder: Path, server: SmtpServer, now: datetime
) -> int:
    """One `invite` round: compare with the ledger, queue what is new, record, deliver."""
    ledger = MeetingLedger(folder / "state.json")
    records = ledger.load()
    box = FileOutbox(folder)
    out = changes(mission, plan_at(mission, start), records, now=now)
    queued = sum(box.enqueue(envelope(m), now=now) for o in out if o.changed for _, m in o.messages)
    ledger.save({**records, **{o.uid: o.record for o in out}})
    box.deliver(SmtpTransport(host=server.host, port=server.port, security="none", timeout=5), now=now)
    return queued


def event_of(r: Received) -> tuple[str, icalendar.Event]:
    part = next(p for p in r.message.walk() if p.get_content_type() == "text/calendar")
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(cal["METHOD"])
    return str(cal["METHOD"]), next(iter(cal.walk("VEVENT")))


@pytest.mark.node
def test_invite_then_move_across_dst_then_cancel_keeps_the_uid_and_raises_sequence(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    people = 2  # the mayor and the JETRO contact
    assert send_round(trade_mission, FEB_START, tmp_path, smtp_server, BOOKED) == people
    assert send_round(trade_mission, FEB_START, tmp_path, smtp_server, BOOKED + timedelta(hours=1)) == 0
    assert send_round(trade_mission, MAR_START, tmp_path, smtp_server, BOOKED + timedelta(days=1)) == people
    assert send_round(trade_mission, None, tmp_path, smtp_server, BOOKED + timedelta(days=2)) == people

    received = smtp_server.received
    assert len(received) == 3 * people
    uid = meeting_uid(trade_mission, "briefing")
    seen = []
    for r in received:
        method, event = event_of(r)
        assert str(event["UID"]) == uid
        seen.append((method, int(event["SEQUENCE"]), event.decoded("DTSTART")))
    by_round = sorted(set(seen), key=lambda s: s[1])
    assert [(m, s) for m, s, _ in by_round] == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    assert [d for _, _, d in by_round] == [FEB_START, MAR_START, MAR_START]
    assert len({r.message["Message-ID"] for r in received}) == len(received)
    # ical.js reads only the VTIMEZONE inside what arrived: the same instants, on both clocks.
    toronto, tokyo = ZoneInfo("America/Toronto"), ZoneInfo("Asia/Tokyo")
    expected = {0: FEB_START, 1: MAR_START, 2: MAR_START}
    for r in received:
        part = next(p for p in r.message.walk() if p.get_content_type() == "text/calendar")
        ics = part.get_payload(decode=True)
        assert next(iter(r.message.iter_attachments())).get_payload(decode=True) == ics
        js = parse_with_icaljs(ics)
        (event,) = js["events"]
        start = utc(event["dtstart"])
        assert (js["method"], event["uid"], start) == (
            "CANCEL" if event["sequence"] == 2 else "REQUEST",
            uid,
            expected[event["sequence"]],
        )
        assert event["dtstart"]["tzid"] == "America/Toronto"
        clocks = {0: ("2027-02-15 20:00", "2027-02-16 10:00"), 1: ("2027-03-15 20:00", "2027-03-16 09:00")}
        on_clocks = tuple(f"{start.astimezone(z):%Y-%m-%d %H:%M}" for z in (toronto, tokyo))
        assert on_clocks == clocks[min(event["sequence"], 1)]  # EST: 14 h apart; EDT: 13 h


def test_text_bodies_state_the_planned_instant_in_both_zones_across_the_march_switch(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    send_round(trade_mission, FEB_START, tmp_path, smtp_server, BOOKED)
    send_round(trade_mission, MAR_START, tmp_path, smtp_server, BOOKED + timedelta(days=1))
    toronto, tokyo = ZoneInfo("America/Toronto"), ZoneInfo("Asia/Tokyo")
    updates = [r for r in smtp_server.received if event_of(r)[1]["SEQUENCE"] == 1]
    assert {r.rcpt_tos[0] for r in updates} == {"mayor@brampton.example.org", "yamada@jetro.example.jp"}
    for r in updates:
        text = r.message.get_body(("plain",)).get_content()
        for instant in (FEB_START, MAR_START):  # the old and the new time
            to, tk = instant.astimezone(toronto), instant.astimezone(tokyo)
            if r.rcpt_tos == ["mayor@brampton.example.org"]:  # in Toronto: Toronto first
                assert f"{to:%a} {to.day} {to:%b %Y %H:%M}–" in text
                assert f"(Tokyo: {tk:%a} {tk.day} {tk:%b %H:%M} {tk.tzname()})" in text
            else:  # in Tokyo: Tokyo first, in Japanese and again in English
                assert f"{tk.year}年{tk.month}月{tk.day}日" in text
                assert f"（トロント {to.month}月{to.day}日" in text
                assert f"{to:%H:%M} {to.tzname()}）" in text
                assert f"{tk:%a} {tk.day} {tk:%b %Y %H:%M}–" in text
                assert f"(Toronto: {to:%a} {to.day} {to:%b %H:%M} {to.tzname()})" in text
        assert event_of(r)[1].decoded("DTSTART") == MAR_START
