"""`scheduler invite` and `scheduler outbox`, run as a person would, on a small mission file."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import icalendar
import pytest

from scheduler.cli import main
from tests.conftest import SmtpServer

MISSION = """
[mission]
name = "CLI test mission"
timezone = "America/Toronto"
start = 2027-03-08
end = 2027-03-19
organizer = {{ name = "Economic Development Office", email = "edo@brampton.example.org" }}
video = "https://meet.example.org/mission"

[resources]
interpreter = 1

[[delegates]]
id = "brown"
name = "Patrick Brown"
role = "Mayor"
email = "mayor@brampton.example.org"
timezone = "America/Toronto"
hours = {{ mon-fri = "07:00-22:00" }}

[[counterparts]]
id = "yusen"
name = "郵船ロジスティクス"
timezone = "Asia/Tokyo"
hours = {{ mon-fri = "09:00-18:00" }}
contacts = [{{ name = "鈴木 一郎", email = "suzuki@yusen.example.jp", language = "ja", title = "営業部長" }}]

[[meetings]]
id = "yusen-call"
title = "Business call: Yusen"
delegates = ["brown"]
counterparts = ["yusen"]
duration = "60m"
resources = ["interpreter"]
agenda = ["Logistics in Peel", "Next steps"]
{fixed}
"""
NOW = "2027-03-01T12:00:00Z"  # before Toronto's switch to summer time on 14 March


def write_mission(path: Path, fixed: str = "") -> Path:
    path.write_text(MISSION.format(fixed=fixed), encoding="utf-8")
    return path


def run(*argv: str) -> int:
    return main([*argv, "--now", NOW])


def invite(config: Path, out: Path, outbox: Path) -> int:
    return run("invite", str(config), "--out", str(out), "--outbox", str(outbox), "--time-limit", "2")


def parse(path: Path):  # type: ignore[no-untyped-def]
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def test_invite_writes_one_eml_per_recipient_and_the_ics_and_they_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_mission(tmp_path / "mission.toml")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "feeds",
        "yusen-call--mayor@brampton.example.org.eml",
        "yusen-call--suzuki@yusen.example.jp.eml",
        "yusen-call.ics",
    ]
    names = names[1:]
    cal = icalendar.Calendar.from_ical((tmp_path / "out" / "yusen-call.ics").read_bytes())
    event = next(iter(cal.walk("VEVENT")))
    for name in names[:2]:
        msg = parse(tmp_path / "out" / name)
        assert msg["To"].addresses[0].addr_spec == name.removeprefix("yusen-call--").removesuffix(".eml")
        part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == "REQUEST"
        assert (
            icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]["UID"]
            == event["UID"]
        )
    ja = (
        parse(tmp_path / "out" / "yusen-call--suzuki@yusen.example.jp.eml").get_body(("plain",)).get_content()
    )
    assert ja.splitlines()[:3] == ["郵船ロジスティクス", "営業部長", "鈴木 一郎 様"]
    assert "Logistics in Peel" in ja
    assert "yusen-call" in capsys.readouterr().out
    # Queued in the outbox, not sent yet.
    assert run("outbox", "--dir", str(tmp_path / "outbox"), "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["status"] for e in listed] == ["queued", "queued"]


def test_invite_again_after_a_move_sends_an_update_with_the_same_uid_and_sequence_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_mission(tmp_path / "mission.toml")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    first = icalendar.Calendar.from_ical((tmp_path / "out" / "yusen-call.ics").read_bytes()).walk("VEVENT")[0]
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0  # nothing changed
    assert "unchanged" in capsys.readouterr().out
    # Monday 15 March 20:00 EDT in Toronto, Tuesday 09:00 JST: after the switch.
    write_mission(config, fixed="fixed = { start = 2027-03-16T00:00:00Z }")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    assert "update" in capsys.readouterr().out
    second = icalendar.Calendar.from_ical((tmp_path / "out" / "yusen-call.ics").read_bytes()).walk("VEVENT")[
        0
    ]
    assert second["UID"] == first["UID"]
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 1)
    mayor = parse(tmp_path / "out" / "yusen-call--mayor@brampton.example.org.eml")
    text = mayor.get_body(("plain",)).get_content()
    assert "Now: Mon 15 Mar 2027 20:00–21:00 EDT (Tokyo: Tue 16 Mar 09:00 JST)" in text
    assert "14 h to 13 h" in text
    assert run("outbox", "--dir", str(tmp_path / "outbox"), "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 4  # two invitations, two updates


def test_outbox_deliver_writes_the_queue_into_the_maildir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEDULER_SMTP_HOST", raising=False)  # the Maildir is what runs without SMTP settings
    config = write_mission(tmp_path / "mission.toml")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    maildir = tmp_path / "maildir"
    assert run("outbox", "--dir", str(tmp_path / "outbox"), "--deliver", "--maildir", str(maildir)) == 0
    out = capsys.readouterr().out
    assert "delivery: 2 sent" in out
    assert "0 queued, 2 sent, 0 failed" in out
    files = sorted((maildir / "new").glob("*.eml"))
    assert {parse(f)["To"].addresses[0].addr_spec for f in files} == {
        "mayor@brampton.example.org",
        "suzuki@yusen.example.jp",
    }


def test_invite_with_a_bad_now_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_mission(tmp_path / "mission.toml")
    code = main(["invite", str(config), "--out", str(tmp_path / "out"), "--now", "yesterday"])
    assert code == 2
    assert "--now" in capsys.readouterr().err


def test_outbox_lists_retries_with_the_next_attempt_and_failures_with_the_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: SmtpServer,
) -> None:
    for key, value in smtp_server.env.items():
        monkeypatch.setenv(key, value)
    config = write_mission(tmp_path / "mission.toml")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    capsys.readouterr()
    smtp_server.replies = ["451 4.3.0 Greylisted, try later", "550 5.1.1 No such user"]
    assert run("outbox", "--dir", str(tmp_path / "outbox"), "--deliver") == 0
    out = capsys.readouterr().out
    assert "delivery: 0 sent, 1 to retry, 1 failed" in out
    lines = out.splitlines()
    queued = next(line for line in lines if line.startswith("queued"))
    assert "attempt 2 at 2027-03-01 12:01:00Z; last error: server refused the message: 451" in queued
    failed = next(line for line in lines if line.startswith("failed"))
    assert "550 5.1.1 No such user" in failed
    assert smtp_server.received == []


def test_invite_writes_each_delegates_itinerary_feed_with_the_meetings_uids(tmp_path: Path) -> None:
    config = write_mission(tmp_path / "mission.toml")
    assert invite(config, tmp_path / "out", tmp_path / "outbox") == 0
    assert sorted(p.name for p in (tmp_path / "out" / "feeds").iterdir()) == ["brown.ics"]
    feed = icalendar.Calendar.from_ical((tmp_path / "out" / "feeds" / "brown.ics").read_bytes())
    invitation = icalendar.Calendar.from_ical((tmp_path / "out" / "yusen-call.ics").read_bytes())
    assert (str(feed["METHOD"]), str(feed["X-WR-CALNAME"])) == ("PUBLISH", "CLI test mission: Patrick Brown")
    (event,) = feed.walk("VEVENT")
    (invited,) = invitation.walk("VEVENT")
    assert (event["UID"], event.decoded("DTSTART")) == (invited["UID"], invited.decoded("DTSTART"))


def test_outbox_with_db_lists_and_delivers_the_database_outbox(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: SmtpServer,
) -> None:
    from datetime import datetime

    from scheduler.mail.compose import envelope
    from scheduler.store import open_store

    for key, value in smtp_server.env.items():
        monkeypatch.setenv(key, value)
    config = write_mission(tmp_path / "mission.toml")
    assert main(["invite", str(config), "--out", str(tmp_path / "out"), "--no-outbox", "--now", NOW]) == 0
    url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    store = open_store(url)
    queued_at = datetime.fromisoformat(NOW)
    for eml in sorted((tmp_path / "out").glob("*.eml")):
        assert store.outbox().enqueue(envelope(parse(eml)), now=queued_at)
    store.close()
    capsys.readouterr()
    smtp_server.replies = ["550 5.1.1 No such user"]
    assert run("outbox", "--db", url, "--deliver") == 0
    out = capsys.readouterr().out
    assert "delivery: 1 sent, 0 to retry, 1 failed" in out
    assert f"0 queued, 1 sent, 1 failed in {url}" in out
    failed = next(line for line in out.splitlines() if line.startswith("failed"))
    message_id = failed.split()[1]
    assert run("outbox", "--db", url, "--retry", message_id, "--deliver") == 0
    assert f"0 queued, 2 sent, 0 failed in {url}" in capsys.readouterr().out
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "mayor@brampton.example.org",
        "suzuki@yusen.example.jp",
    ]
