"""The MIME message of each letter: shape, headers, calendar part, languages, escaping."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from scheduler.core.models import Mission
from scheduler.errors import ConfigError
from scheduler.ical.people import attendees
from scheduler.mail.compose import compose, envelope
from scheduler.mail.render import KINDS, WITH_OPTIONS, Letter
from scheduler.messages.invitations import letter_for
from tests.mail.missions import BOOKED, FEB_START, MAR_START


def invitation(mission: Mission, start: datetime = FEB_START, **kw: object) -> Letter:
    meeting = mission.meetings[0]
    letter, _ics = letter_for(
        mission, meeting, kind="invitation", start=start, resources=meeting.resources, sequence=0, now=BOOKED,
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    return letter


def parsed(msg: EmailMessage) -> EmailMessage:
    """What a receiver sees: the message serialised to bytes and parsed back."""
    return message_from_bytes(envelope(msg).data, policy=policy.default)  # type: ignore[return-value]


def reader(mission: Mission, lang: str) -> object:
    return next(a for a in attendees(mission, mission.meetings[0]) if a.language == lang)


def test_invitation_is_mixed_holding_alternative_with_plain_html_calendar_then_the_ics(
    trade_mission: Mission,
) -> None:
    msg = parsed(compose(invitation(trade_mission), reader(trade_mission, "en"), now=BOOKED))
    shape = [(p.get_content_type(), p.get_content_disposition()) for p in msg.walk()]
    assert shape == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/html", None),
        ("text/calendar", None),
        ("application/ics", "attachment"),
    ]
    assert next(iter(msg.iter_attachments())).get_filename() == "invite.ics"


@pytest.mark.parametrize(("kind", "method"), [("invitation", "REQUEST"), ("cancellation", "CANCEL")])
def test_calendar_part_method_matches_the_method_inside_and_keeps_crlf(
    trade_mission: Mission, kind: str, method: str
) -> None:
    meeting = trade_mission.meetings[0]
    letter, ics = letter_for(
        trade_mission,
        meeting,
        kind=kind,
        start=FEB_START,
        resources=(),
        sequence=1,
        now=BOOKED,  # type: ignore[arg-type]
    )
    msg = parsed(compose(letter, reader(trade_mission, "en"), now=BOOKED))
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == method
    assert part.get_content_charset() == "utf-8"
    body = part.get_payload(decode=True)
    assert f"METHOD:{method}\r\n".encode() in body
    assert body == ics  # byte for byte: CRLF survived the base64
    assert b"\n" not in body.replace(b"\r\n", b"")
    attached = next(iter(msg.iter_attachments())).get_payload(decode=True)
    assert attached == ics


def test_headers_from_to_date_and_a_deterministic_message_id(trade_mission: Mission) -> None:
    person = reader(trade_mission, "en")
    first = parsed(compose(invitation(trade_mission), person, now=BOOKED))
    again = parsed(compose(invitation(trade_mission), person, now=BOOKED + timedelta(hours=3)))
    assert first["From"].addresses[0].addr_spec == trade_mission.organizer.email
    assert [a.addr_spec for a in first["To"].addresses] == ["mayor@brampton.example.org"]
    assert first["Date"].datetime == BOOKED
    assert re.fullmatch(r"<[^<>@\s]+@brampton\.example\.org>", first["Message-ID"])
    assert again["Message-ID"] == first["Message-ID"]
    moved = parsed(compose(invitation(trade_mission, start=MAR_START), person, now=BOOKED))
    assert moved["Message-ID"] != first["Message-ID"]


def test_japanese_subject_is_rfc2047_encoded_and_decodes_back(trade_mission: Mission) -> None:
    raw = envelope(compose(invitation(trade_mission), reader(trade_mission, "ja"), now=BOOKED)).data
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # every header byte is ASCII
    assert re.search(rb"^Subject:.*=\?utf-8\?[bq]\?", head, re.I | re.M | re.S)
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"].strip() == "【ご招待】Briefing on Japan / Invitation: Briefing on Japan"


def test_japanese_reader_gets_one_bilingual_letter_japanese_first_with_sama(trade_mission: Mission) -> None:
    msg = parsed(compose(invitation(trade_mission), reader(trade_mission, "ja"), now=BOOKED))
    text = msg.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert lines[:3] == ["日本貿易振興機構（ジェトロ）", "海外調査部 部長", "山田 太郎 様"]
    assert text.index("日時：") < text.index("Dear 山田 太郎") < text.index("When:")
    assert "2027年2月16日(火) 10:00–11:00 JST（トロント 2月15日(月) 20:00 EST）" in text
    assert "Tue 16 Feb 2027 10:00–11:00 JST (Toronto: Mon 15 Feb 20:00 EST)" in text
    # Organisation, title, then the name and 様: the order of a Japanese business letter.
    assert "・日本貿易振興機構（ジェトロ） 海外調査部 部長 山田 太郎 様" in lines
    assert (
        "<li>日本貿易振興機構（ジェトロ） 海外調査部 部長 山田 太郎 様</li>"
        in msg.get_body(("html",)).get_content()
    )
    html = msg.get_body(("html",)).get_content()
    assert html.index('lang="ja"') < html.index('lang="en"')
    assert msg["Content-Language"] == "ja, en"


def test_english_reader_gets_english_only(trade_mission: Mission) -> None:
    msg = parsed(compose(invitation(trade_mission), reader(trade_mission, "en"), now=BOOKED))
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("Dear Patrick Brown,")
    assert msg["Content-Language"] == "en"
    assert "Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)" in text
    assert "様" not in text.split("Participants:")[0]


def test_agenda_participants_video_link_and_interpreter_are_in_both_bodies(trade_mission: Mission) -> None:
    msg = parsed(compose(invitation(trade_mission), reader(trade_mission, "en"), now=BOOKED))
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Agree areas of collaboration." in body
        assert "Investment outlook" in body
        assert "Japanese companies in Peel" in body
        assert "Bring the brochure." in body
        assert "Patrick Brown" in body
        assert "Mayor" in body
        assert "日本貿易振興機構（ジェトロ）" in body
        assert "interpreter" in body
    assert '<a href="https://meet.example.org/briefing">' in html
    assert "https://meet.example.org/briefing" in text


def test_no_interpreter_line_when_none_is_booked(trade_mission: Mission) -> None:
    meeting = trade_mission.meetings[0]
    letter, _ = letter_for(
        trade_mission,
        meeting,
        kind="invitation",
        start=FEB_START,
        resources=("bridge",),
        sequence=0,
        now=BOOKED,
    )
    text = parsed(compose(letter, reader(trade_mission, "en"), now=BOOKED)).get_body(("plain",)).get_content()
    assert "interpreter" not in text.lower()


def test_hostile_title_is_escaped_in_html_and_cannot_add_headers(trade_mission: Mission) -> None:
    hostile = '<script>alert("x")</script>\r\nBcc: victim@example.com\nX-Evil: 1'
    m = replace(trade_mission.meetings[0], title=hostile, video_url="javascript:alert(1)")
    mission = replace(trade_mission, meetings=(m,))
    msg = parsed(compose(invitation(mission), reader(mission, "en"), now=BOOKED))
    assert msg["Bcc"] is None
    assert msg["X-Evil"] is None
    assert "\n" not in msg["Subject"]
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_names_cannot_add_headers_and_bad_addresses_are_refused(trade_mission: Mission) -> None:
    organizer = replace(trade_mission.organizer, name="Office\r\nBcc: victim@example.com")
    mission = replace(trade_mission, organizer=organizer)
    person = replace(reader(mission, "en"), name="Brown\nCc: spy@example.com")  # type: ignore[type-var]
    msg = parsed(compose(invitation(mission), person, now=BOOKED))
    assert (msg["Bcc"], msg["Cc"]) == (None, None)
    assert [a.addr_spec for a in msg["To"].addresses] == ["mayor@brampton.example.org"]
    assert [a.addr_spec for a in msg["From"].addresses] == [organizer.email]
    for bad in ("a@example.org\r\nBcc: victim@example.com", "a@example.org\n", "Eve <a@example.org>"):
        evil = Person(name="Eve", email=bad)
        with pytest.raises(ConfigError, match="not a plain e-mail address"):
            compose(invitation(mission), evil, now=BOOKED)


@dataclass(frozen=True)
class Person:
    """Any addressee (the mail layer does not rely on the calendar side's checks)."""

    name: str
    email: str
    role: str = "REQ-PARTICIPANT"
    language: str = "en"
    timezone: str = "America/Toronto"
    organisation: str = ""
    title: str = ""


def _letter(mission: Mission, kind: str) -> Letter:
    meeting = mission.meetings[0]
    people = attendees(mission, meeting)
    if kind in ("invitation", "update", "cancellation"):
        letter, _ = letter_for(
            mission, meeting, kind=kind, start=MAR_START, resources=meeting.resources, sequence=1, now=BOOKED,  # type: ignore[arg-type]
            previous=(FEB_START, FEB_START + meeting.duration) if kind == "update" else None,
        )  # fmt: skip
        return letter
    return Letter(
        kind=kind,  # type: ignore[arg-type]
        mission=mission,
        meeting=meeting,
        start=None if kind in WITH_OPTIONS else MAR_START,
        end=None if kind in WITH_OPTIONS else MAR_START + meeting.duration,
        people=people,
        options=((FEB_START, FEB_START + meeting.duration), (MAR_START, MAR_START + meeting.duration))
        if kind in WITH_OPTIONS
        else (),
        booking_url="https://book.example.org/t/abc" if kind == "booking_request" else None,
        expires_at=BOOKED + timedelta(days=7) if kind in WITH_OPTIONS else None,
        action_items=("Send the market study",) if kind == "follow_up" else (),
        next_steps=("Site visit in May",) if kind == "follow_up" else (),
    )


# What each kind must say, in the English text (times of the English reader in Toronto).
MUST_SAY = {
    "invitation": ["Mon 15 Mar 2027 20:00–21:00 EDT (Tokyo: Tue 16 Mar 09:00 JST)", "Investment outlook"],
    "update": ["Was: Mon 15 Feb 2027 20:00–21:00 EST", "Now: Mon 15 Mar 2027 20:00–21:00 EDT"],
    "cancellation": ["is cancelled", "Mon 15 Mar 2027 20:00–21:00 EDT"],
    "booking_request": [
        "1. Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)",
        "2. Mon 15 Mar 2027 20:00–21:00 EDT (Tokyo: Tue 16 Mar 09:00 JST)",
        "https://book.example.org/t/abc",
        "The link works until Mon 8 Feb 2027 07:00 EST.",
    ],
    "new_times": [
        "New times:",
        "have just been taken",
        "1. Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)",
        "with the link in our earlier email",
    ],
    "reminder": ["Reminder", "Mon 15 Mar 2027 20:00–21:00 EDT"],
    "follow_up": ["Thank you", "Send the market study", "Site visit in May"],
}
MUST_SAY_JA = {
    "invitation": "【ご招待】",
    "update": "変更前：2027年2月16日(火) 10:00–11:00 JST",
    "cancellation": "中止",
    "booking_request": "1. 2027年2月16日(火) 10:00–11:00 JST（トロント 2月15日(月) 20:00 EST）\n"
    "2. 2027年3月16日(火) 09:00–10:00 JST（トロント 3月15日(月) 20:00 EDT）\n\n"
    "恐れ入りますが、以下よりご都合のよい日時をお選びください。\n"
    "https://book.example.org/t/abc\n"
    "なお、このリンクは2027年2月8日(月) 21:00 JSTまで有効です。",
    "new_times": "【新しい候補日時】",
    "reminder": "【リマインダー】",
    "follow_up": "対応事項",
}


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_renders_in_english_and_bilingually(trade_mission: Mission, kind: str) -> None:
    letter = _letter(trade_mission, kind)
    en = parsed(compose(letter, reader(trade_mission, "en"), now=BOOKED))
    en_text = en["Subject"] + "\n" + en.get_body(("plain",)).get_content()
    for phrase in MUST_SAY[kind]:
        assert phrase in en_text
    ja = parsed(compose(letter, reader(trade_mission, "ja"), now=BOOKED))
    ja_text = ja["Subject"] + "\n" + "\n".join(ja.get_body(("plain",)).get_content().splitlines())
    assert MUST_SAY_JA[kind] in ja_text
    assert ja_text.index("様") < ja_text.index("Dear ")
    has_calendar = any(p.get_content_type() == "text/calendar" for p in en.walk())
    assert has_calendar == (kind in ("invitation", "update", "cancellation"))


def test_booking_request_without_a_link_asks_for_a_reply(trade_mission: Mission) -> None:
    letter = replace(_letter(trade_mission, "booking_request"), booking_url=None)
    text = parsed(compose(letter, reader(trade_mission, "en"), now=BOOKED)).get_body(("plain",)).get_content()
    assert "Please reply with the option that suits you." in text


def test_letter_for_a_meeting_after_the_switch_carries_the_dst_warning(trade_mission: Mission) -> None:
    text = (
        parsed(compose(invitation(trade_mission, start=MAR_START), reader(trade_mission, "en"), now=BOOKED))
        .get_body(("plain",))
        .get_content()
    )
    assert "Toronto–Tokyo moves from 14 h to 13 h" in text
    booked_late = datetime(2027, 3, 15, tzinfo=UTC)
    later = parsed(
        compose(invitation(trade_mission, start=MAR_START), reader(trade_mission, "en"), now=booked_late)
    )
    assert "14 h to 13 h" not in later.get_body(("plain",)).get_content()
