"""Invitations read back by two parsers: icalendar, and ical.js trusting only the embedded VTIMEZONE."""

from __future__ import annotations

import calendar as cal
import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from scheduler.errors import ConfigError
from scheduler.ical.agenda import JA_DIVIDER
from scheduler.ical.invite import build_invitation, meeting_uid
from scheduler.ical.people import Attendee, attendees
from tests.ical.jsparse import parse_with_icaljs, utc
from tests.ical.sample import NOW, ORGANIZER, TOKYO, TORONTO, at, trade_mission, vevent, wall

HOSTILE = "Kick-off; DROP\nATTENDEE:mailto:evil@x, 東京"

# (Toronto wall time, the same instant on a Tokyo clock): 14 h apart on EST, 13 h on EDT.
ACROSS_DST = [
    pytest.param("2027-02-15 19:00", "2027-02-16 09:00", id="february-est"),
    pytest.param("2027-03-15 19:00", "2027-03-16 08:00", id="after-canadas-spring-switch"),
    pytest.param("2027-11-05 20:00", "2027-11-06 09:00", id="last-friday-on-edt"),
    pytest.param("2027-11-08 19:00", "2027-11-09 09:00", id="after-the-fall-switch"),
]


def invite(start: datetime, **kw) -> bytes:
    m, kick_off = trade_mission()
    kw.setdefault("method", "REQUEST")
    kw.setdefault("sequence", 0)
    kw.setdefault("dtstamp", NOW)
    return build_invitation(m, kick_off, start, **kw)


def assert_same_instants(ics: bytes, start: datetime, end: datetime) -> None:
    """Both parsers read the planned [start, end): icalendar (system zones) and ical.js (the file's)."""
    ev = vevent(ics)
    assert (ev["DTSTART"].dt.astimezone(UTC), ev["DTEND"].dt.astimezone(UTC)) == (start, end)
    js = parse_with_icaljs(ics)["events"][0]
    assert (utc(js["dtstart"]), utc(js["dtend"])) == (start, end)


@pytest.mark.node
@pytest.mark.parametrize(("toronto", "tokyo"), ACROSS_DST)
def test_both_parsers_read_the_planned_instant_in_both_zones(toronto: str, tokyo: str) -> None:
    start = at(toronto, TORONTO)
    assert start == at(tokyo, TOKYO)  # the example itself is right
    ics = invite(start)
    assert_same_instants(ics, start, start + timedelta(hours=1))
    js = parse_with_icaljs(ics)["events"][0]
    assert (wall(utc(js["dtstart"]), TORONTO), wall(utc(js["dtstart"]), TOKYO)) == (toronto, tokyo)
    assert js["dtstart"]["tzid"] == TORONTO  # anchored in the home zone, not floating, not UTC


@pytest.mark.node
def test_a_tokyo_home_zone_gets_its_own_vtimezone() -> None:
    m, kick_off = trade_mission()
    m = dataclasses.replace(m, timezone=TOKYO)
    start = at("2027-03-16 08:00", TOKYO)
    ics = build_invitation(m, kick_off, start, method="REQUEST", sequence=0, dtstamp=NOW)
    assert b"DTSTART;TZID=Asia/Tokyo:20270316T080000\r\n" in ics
    assert parse_with_icaljs(ics)["timezones"] == [TOKYO]
    assert_same_instants(ics, start, start + timedelta(hours=1))


def _broken_toronto(kind: str) -> bytes:
    """A VTIMEZONE for America/Toronto that a careless generator could write."""
    if kind == "pre-2007-rules":  # first Sunday of April to last Sunday of October
        daylight = "DTSTART:19870405T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"
        standard = "DTSTART:19871025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    else:  # add_missing_timezones(): one RDATE with every date, of which parsers read the first
        years = range(2008, 2031)
        spring = [f"{y}03{_nth_sunday(y, 3, 2):02d}T020000" for y in years]
        fall = [f"{y}11{_nth_sunday(y, 11, 1):02d}T020000" for y in years]
        daylight = f"DTSTART:20070311T020000\r\nRDATE:{','.join(spring)}\r\n"
        standard = f"DTSTART:20071104T020000\r\nRDATE:{','.join(fall)}\r\n"
    return (
        "BEGIN:VTIMEZONE\r\nTZID:America/Toronto\r\n"
        f"BEGIN:DAYLIGHT\r\n{daylight}TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n"
        f"BEGIN:STANDARD\r\n{standard}TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
    ).encode()


def _nth_sunday(year: int, month: int, nth: int) -> int:
    sundays = [d for d in range(1, 32 if month != 2 else 29) if _is_sunday(year, month, d)]
    return sundays[nth - 1]


def _is_sunday(year: int, month: int, day: int) -> bool:
    return day <= cal.monthrange(year, month)[1] and cal.weekday(year, month, day) == 6


@pytest.mark.node
@pytest.mark.parametrize("kind", ["pre-2007-rules", "comma-rdate-list"], ids=str)
def test_a_wrong_vtimezone_is_caught_by_icaljs_though_icalendar_misses_it(kind: str) -> None:
    start = at("2027-03-15 19:00", TORONTO)
    ics = invite(start)
    ours = re.search(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", ics, re.DOTALL)
    assert ours is not None
    broken = ics.replace(ours.group(0), _broken_toronto(kind))
    # icalendar resolves "America/Toronto" from the system database: it sees nothing wrong...
    assert vevent(broken)["DTSTART"].dt.astimezone(UTC) == start
    # ...ical.js uses the file's definition, an hour off, and the check used everywhere fails.
    assert utc(parse_with_icaljs(broken)["events"][0]["dtstart"]) == start + timedelta(hours=1)
    with pytest.raises(AssertionError):
        assert_same_instants(broken, start, start + timedelta(hours=1))


@pytest.mark.node
def test_the_second_half_hour_of_a_fall_back_night_is_written_in_utc() -> None:
    # 01:30 EST on 7 November 2027 reads as 01:30 EDT in TZID form (RFC 5545: first occurrence).
    start = at("2027-11-07 01:30", TORONTO) + timedelta(hours=1)
    assert wall(start, TORONTO) == "2027-11-07 01:30"
    ics = invite(start)
    assert b"DTSTART:20271107T063000Z\r\n" in ics
    assert_same_instants(ics, start, start + timedelta(hours=1))


@pytest.mark.node
def test_request_update_and_cancel_share_the_uid_and_raise_the_sequence() -> None:
    first = at("2027-03-15 19:00", TORONTO)
    moved = at("2027-03-16 19:00", TORONTO)
    msgs = [
        invite(first, sequence=0),
        invite(moved, sequence=1, dtstamp=NOW + timedelta(days=1)),
        invite(moved, method="CANCEL", sequence=2, dtstamp=NOW + timedelta(days=2)),
    ]
    read = [parse_with_icaljs(m) for m in msgs]
    js = [(r["method"], e["status"], e["sequence"], e["uid"]) for r in read for e in r["events"]]
    m, kick_off = trade_mission()
    uid = meeting_uid(m, "kick-off")
    assert js == [
        ("REQUEST", "CONFIRMED", 0, uid),
        ("REQUEST", "CONFIRMED", 1, uid),
        ("CANCEL", "CANCELLED", 2, uid),
    ]
    py = [
        (str(Calendar.from_ical(x)["METHOD"]), str(vevent(x)["STATUS"]), vevent(x)["SEQUENCE"]) for x in msgs
    ]
    assert py == [("REQUEST", "CONFIRMED", 0), ("REQUEST", "CONFIRMED", 1), ("CANCEL", "CANCELLED", 2)]
    # The update is the full event, at the new time, to everyone: not a cancel plus a new invite.
    assert utc(read[1]["events"][0]["dtstart"]) == moved
    assert [a["email"] for a in read[1]["events"][0]["attendees"]] == [
        a.email for a in attendees(m, kick_off)
    ]
    assert [a["email"] for a in read[2]["events"][0]["attendees"]] == [
        a.email for a in attendees(m, kick_off)
    ]
    assert [str(vevent(x)["DTSTAMP"].dt) for x in msgs] == [
        str(NOW + timedelta(days=d)) for d in range(3)
    ]  # fresh, in UTC


def test_meeting_uid_is_stable_and_names_one_meeting_of_one_mission() -> None:
    m, _ = trade_mission()
    other = dataclasses.replace(m, name="Another mission")
    uid = meeting_uid(m, "kick-off")
    assert uid == meeting_uid(m, "kick-off")
    assert len({uid, meeting_uid(m, "wrap-up"), meeting_uid(other, "kick-off")}) == 3
    assert uid.isascii()
    assert re.fullmatch(r"[0-9a-f-]+@[a-z.-]+", uid)


def test_an_explicit_uid_is_kept() -> None:
    assert str(vevent(invite(at("2027-03-15 19:00", TORONTO), uid="stored-uid@example.org"))["UID"]) == (
        "stored-uid@example.org"
    )


@pytest.mark.node
def test_the_organizer_is_the_organizer_and_never_an_attendee() -> None:
    ics = invite(at("2027-03-15 19:00", TORONTO))
    js = parse_with_icaljs(ics)["events"][0]
    assert (js["organizer"]["email"], js["organizer"]["cn"]) == (ORGANIZER, "Economic Development Office")
    assert ORGANIZER not in {a["email"].lower() for a in js["attendees"]}
    assert ics.count(b"\r\nORGANIZER") == 1


def test_attendees_carry_role_partstat_rsvp_and_the_contacts_zone() -> None:
    m, kick_off = trade_mission()
    people = attendees(m, kick_off)
    assert [(p.email, p.role, p.timezone, p.organisation, p.language) for p in people] == [
        ("brown@brampton.example.org", "REQ-PARTICIPANT", TORONTO, "", "en"),
        ("yamada@jetro.example.jp", "REQ-PARTICIPANT", TOKYO, "Jetro", "ja"),
        ("sato@jetro.example.jp", "REQ-PARTICIPANT", TOKYO, "Jetro", "en"),
        ("patel@brampton.example.org", "OPT-PARTICIPANT", TORONTO, "", "en"),
    ]
    ev = vevent(invite(at("2027-03-15 19:00", TORONTO)))
    params = [
        (
            str(a).removeprefix("mailto:"),
            a.params["ROLE"],
            a.params["PARTSTAT"],
            a.params["RSVP"],
            a.params["CUTYPE"],
        )
        for a in ev["ATTENDEE"]
    ]
    assert params == [(p.email, p.role, "NEEDS-ACTION", "TRUE", "INDIVIDUAL") for p in people]
    assert [a.params["CN"] for a in ev["ATTENDEE"]] == [
        "Patrick Brown",
        "山田 太郎",
        "Hanako Sato",
        "Priya Patel",
    ]


def test_an_address_invited_twice_is_invited_once_with_the_stronger_role() -> None:
    guest = Attendee(name="Sato again", email="SATO@jetro.example.jp", role="OPT-PARTICIPANT")
    new = Attendee(name="Interpreter", email="interp@example.org", role="OPT-PARTICIPANT", timezone=TOKYO)
    ev = vevent(invite(at("2027-03-15 19:00", TORONTO), extra_attendees=[guest, new]))
    emails = [str(a).removeprefix("mailto:").lower() for a in ev["ATTENDEE"]]
    assert len(emails) == len(set(emails)) == 5
    assert ev["ATTENDEE"][-1].params["ROLE"] == "OPT-PARTICIPANT"
    assert [a.params["ROLE"] for a in ev["ATTENDEE"] if "sato" in str(a)] == ["REQ-PARTICIPANT"]


def test_the_calendar_is_well_formed_crlf_folded_and_anchored() -> None:
    long_title = "東京とトロントの経済交流に関する長いタイトル、" * 4 + "é" * 50
    m, kick_off = trade_mission(title=long_title)
    ics = build_invitation(
        m, kick_off, at("2027-03-15 19:00", TORONTO), method="REQUEST", sequence=0, dtstamp=NOW
    )
    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a fold inside a multi-byte character would fail here
    assert any(line.startswith(b" ") for line in lines)  # there was something to fold
    assert str(vevent(ics)["SUMMARY"]) == long_title
    for once in (b"VERSION:2.0", b"PRODID:", b"METHOD:REQUEST", b"BEGIN:VTIMEZONE"):
        assert sum(line.startswith(once) for line in lines) == 1
    assert b"DTSTART;TZID=America/Toronto:20270315T190000" in lines
    assert b"DTEND;TZID=America/Toronto:20270315T200000" in lines
    assert b"TZID:America/Toronto" in lines
    assert b"DTSTAMP:20270120T150000Z" in lines
    assert not any(line.startswith(b"RDATE") and b"," in line for line in lines)


@pytest.mark.node
def test_a_hostile_title_and_name_round_trip_and_inject_nothing() -> None:
    m, kick_off = trade_mission(title=HOSTILE, notes=HOSTILE)
    jetro = m.participant("jetro")
    contact = type(jetro.contacts[0])(name=HOSTILE, email="yamada@jetro.example.jp", language="ja")
    jetro = dataclasses.replace(jetro, contacts=(contact,))
    m = dataclasses.replace(m, counterparts=(jetro,))
    ics = build_invitation(
        m, kick_off, at("2027-03-15 19:00", TORONTO), method="REQUEST", sequence=0, dtstamp=NOW
    )
    lines = ics.split(b"\r\n")
    assert not any(line.startswith(b"ATTENDEE:mailto:evil") for line in lines)
    ev = vevent(ics)
    assert str(ev["SUMMARY"]) == HOSTILE
    assert HOSTILE in str(ev["DESCRIPTION"])
    assert [a.params["CN"] for a in ev["ATTENDEE"] if "yamada" in str(a)] == [HOSTILE]
    js = parse_with_icaljs(ics)["events"][0]
    assert js["summary"] == HOSTILE
    assert "evil@x" not in {a["email"] for a in js["attendees"]}
    assert [a["cn"] for a in js["attendees"] if a["email"] == "yamada@jetro.example.jp"] == [HOSTILE]
    assert len(js["attendees"]) == 3


def test_control_characters_never_reach_the_file() -> None:
    m, kick_off = trade_mission(title="Agenda\r\nEND:VEVENT\x00\x1b")
    ics = build_invitation(
        m, kick_off, at("2027-03-15 19:00", TORONTO), method="REQUEST", sequence=0, dtstamp=NOW
    )
    assert re.search(rb"[\x00\x1b]", ics) is None
    assert ics.count(b"\r\nEND:VEVENT\r\n") == 1
    assert str(vevent(ics)["SUMMARY"]) == "Agenda\nEND:VEVENT"


def test_an_address_that_could_break_a_line_is_refused() -> None:
    with pytest.raises(ValueError, match="not a plain e-mail address"):
        Attendee(name="x", email="a@b.org\r\nATTENDEE:mailto:evil@x")


@pytest.mark.parametrize(
    ("start", "dtstamp"),
    [
        pytest.param(datetime(2027, 3, 15, 19), NOW, id="naive-start"),  # noqa: DTZ001
        pytest.param(at("2027-03-15 19:00", TORONTO), datetime(2027, 1, 20), id="naive-dtstamp"),  # noqa: DTZ001
    ],
)
def test_naive_datetimes_are_refused(start: datetime, dtstamp: datetime) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        invite(start, dtstamp=dtstamp)


@pytest.mark.parametrize(
    ("method", "sequence"), [("PUBLISH", 0), ("REQUEST", -1)], ids=["method", "sequence"]
)
def test_a_bad_method_or_sequence_is_refused(method: str, sequence: int) -> None:
    with pytest.raises(ValueError, match=method if sequence == 0 else "SEQUENCE"):
        invite(at("2027-03-15 19:00", TORONTO), method=method, sequence=sequence)


def test_the_description_is_the_agenda_and_the_video_link_is_everywhere() -> None:
    start = at("2027-03-15 19:00", TORONTO)
    ev = vevent(invite(start))
    text = str(ev["DESCRIPTION"])
    for expected in (
        "Purpose: Introduce the delegation and agree next steps",
        "Mon 15 Mar 2027 19:00–20:00 EDT (Toronto) / Tue 16 Mar 2027 08:00–09:00 JST (Tokyo)",
        "- Patrick Brown, Mayor",
        "- Jetro: 山田 太郎, 部長; Hanako Sato, Director",
        "Optional:\n- Priya Patel, Regional Councillor",
        "1. Welcome\n2. Investment opportunities in Peel\n3. Next steps",
        "Bring the 2027 investment brochure.",
        "Video link: https://meet.example.org/brampton-jetro",
        "Interpreter:",
    ):
        assert expected in text
    link = "https://meet.example.org/brampton-jetro"
    assert (str(ev["LOCATION"]), str(ev["URL"]), str(ev["CONFERENCE"])) == (link, link, link)
    assert ev["CONFERENCE"].params["FEATURE"] == ["AUDIO", "VIDEO"]  # a list, not one quoted value
    assert "Interpreter:" not in str(vevent(invite(start, resources=["room"]))["DESCRIPTION"])


def test_a_utc_home_zone_writes_utc_times_and_no_vtimezone() -> None:
    m, kick_off = trade_mission()
    start = at("2027-03-15 19:00", TORONTO)
    ics = build_invitation(
        dataclasses.replace(m, timezone="UTC"), kick_off, start, method="REQUEST", sequence=0, dtstamp=NOW
    )
    assert b"DTSTART:20270315T230000Z\r\n" in ics
    assert b"VTIMEZONE" not in ics


def test_a_meeting_naming_nobody_is_a_config_error_with_its_path() -> None:
    m, kick_off = trade_mission(counterparts=("jetro", "jtro"))
    with pytest.raises(ConfigError, match=r"meetings \(kick-off\)\.counterparts\[1\]: .*'jtro'"):
        attendees(m, kick_off)


def test_a_delegate_without_an_address_is_not_invited() -> None:
    m, kick_off = trade_mission()
    m = dataclasses.replace(
        m, delegates=tuple(dataclasses.replace(d, email="") if d.id == "patel" else d for d in m.delegates)
    )
    assert "patel" not in {a.participant_id for a in attendees(m, kick_off)}


def test_a_meeting_with_a_japanese_reader_has_the_agenda_in_english_then_japanese() -> None:
    start = at("2027-03-15 19:00", TORONTO)
    text = str(vevent(invite(start))["DESCRIPTION"])
    english, japanese = text.split(JA_DIVIDER)
    assert "Purpose: Introduce the delegation" in english
    assert "日時" not in english
    lines = japanese.splitlines()
    # Tokyo's clock first for the Japanese reader, Toronto's below; the date change in plain sight.
    when = lines.index("日時：")
    assert lines[when + 1 : when + 3] == [
        "2027年3月16日(火) 08:00–09:00 JST（東京）",
        "2027年3月15日(月) 19:00–20:00 EDT（トロント）",
    ]
    assert "・Patrick Brown（Mayor）" in lines
    assert "・Jetro 部長 山田 太郎 様" in lines  # organisation, title, name, 様
    assert "・Priya Patel（Regional Councillor）（任意）" in lines
    assert "議題：\n1. Welcome\n2. Investment opportunities in Peel\n3. Next steps" in japanese
    assert "ビデオ会議：https://meet.example.org/brampton-jetro" in lines
    assert "通訳：日英通訳を手配しております。" in lines


def test_a_meeting_without_a_japanese_reader_has_an_english_agenda_only() -> None:
    m, kick_off = trade_mission()
    english_only = dataclasses.replace(
        m,
        counterparts=tuple(
            dataclasses.replace(c, contacts=tuple(dataclasses.replace(x, language="en") for x in c.contacts))
            for c in m.counterparts
        ),
    )
    ics = build_invitation(
        english_only, kick_off, at("2027-03-15 19:00", TORONTO), method="REQUEST", sequence=0, dtstamp=NOW
    )
    text = str(vevent(ics)["DESCRIPTION"])
    assert "Purpose: Introduce the delegation" in text
    assert JA_DIVIDER not in text
    assert "日時" not in text
