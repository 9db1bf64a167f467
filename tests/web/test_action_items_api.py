"""Action items that get done, over HTTP: create, assign, move the due date, mark done, drop;
and the owner's reminder on their own morning, across the date line, exactly once, through a
real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.mail.transports import SmtpTransport
from scheduler.messages.timed import TimedMail
from scheduler.services.timed import run_due, sweep
from tests.conftest import Received, SmtpServer
from tests.web.conftest import Web

WATANABE = "watanabe@jeita.example.jp"  # JEITA, Tokyo, writes in Japanese
SANTOS = "rowena.santos@brampton.example.org"  # a delegate in Toronto


def _create(web: Web, **body: object) -> dict[str, object]:
    r = web.api("POST", "/meetings/jeita-meeting/actions", json={"text": "Send the sector study", **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _patch(web: Web, item_id: object, **body: object) -> dict[str, object]:
    r = web.api("PATCH", f"/actions/{item_id}", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _action_work(web: Web) -> list[tuple[str, str, str]]:
    work = web.api("GET", "/timed-work?meeting_id=jeita-meeting").json()["due"]
    return sorted((w["kind"], w["recipient"], w["due_at"]) for w in work if w["kind"].startswith("action"))


def test_an_item_is_created_assigned_moved_done_and_dropped_over_http(web: Web) -> None:
    item = _create(web, text_ja="業界調査をお送りする")
    assert (item["owner"], item["due_date"], item["state"], item["shared"]) == ("", None, "open", True)
    assert _action_work(web) == []  # no owner, no date: nothing to remind anyone of

    item = _patch(web, item["id"], owner=WATANABE, due_date="2027-03-01")
    assert (item["owner"], item["due_date"]) == (WATANABE, "2027-03-01")
    # Monday 09:00 in Tokyo is Sunday 19:00 in Toronto; overdue the next Tokyo morning.
    assert _action_work(web) == [
        ("action_due", WATANABE, "2027-03-01T00:00:00Z"),
        ("action_overdue", WATANABE, "2027-03-02T00:00:00Z"),
    ]

    item = _patch(web, item["id"], due_date="2027-03-03")
    assert item["due_date"] == "2027-03-03"
    assert _action_work(web) == [
        ("action_due", WATANABE, "2027-03-03T00:00:00Z"),
        ("action_overdue", WATANABE, "2027-03-04T00:00:00Z"),
    ]

    item = _patch(web, item["id"], owner="santos")  # reassigned to a Toronto delegate: her morning
    assert _action_work(web) == [
        ("action_due", SANTOS, "2027-03-03T14:00:00Z"),
        ("action_overdue", SANTOS, "2027-03-04T14:00:00Z"),
    ]

    item = _patch(web, item["id"], state="done", note="Sent by courier")
    assert (item["state"], item["note"], item["updated_by"]) == (
        "done",
        "Sent by courier",
        "coordinator@example.org",
    )
    assert _action_work(web) == []

    other = _create(web, owner="brown", due_date="2027-03-05")
    assert len(_action_work(web)) == 2
    other = _patch(web, other["id"], state="dropped", note="Superseded by the March call")
    assert other["state"] == "dropped"
    assert _action_work(web) == []

    listed = web.api("GET", "/meetings/jeita-meeting/actions").json()
    assert [(a["state"], a["note"]) for a in listed] == [
        ("done", "Sent by courier"),
        ("dropped", "Superseded by the March call"),
    ]
    assert [a["id"] for a in web.api("GET", "/actions?state=done").json()] == [item["id"]]
    ran = web.api("GET", "/timed-work?meeting_id=jeita-meeting").json()["ran"]
    assert {r["outcome"] for r in ran} >= {"the action item was edited", "the action item was done"}


def test_bad_edits_are_refused_naming_the_field(web: Web) -> None:
    item = _create(web)
    r = web.api("PATCH", f"/actions/{item['id']}", json={"owner": "nobody@example.org"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["owner"])
    r = web.api("PATCH", f"/actions/{item['id']}", json={"state": "finished"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["state"])
    r = web.api("PATCH", f"/actions/{item['id']}", json={"due_date": "March 1st"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["due_date"])
    r = web.api("POST", "/meetings/jeita-meeting/actions", json={"text": "x", "owner": "mayor"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["owner"])
    assert web.api("PATCH", "/actions/9999", json={"state": "done"}).status_code == 404


def _pass(web: Web, smtp: SmtpServer, at: datetime) -> None:
    """What the service does at `at`: sweep, run due work, deliver the outbox over SMTP."""
    web.clock.at = at
    sweep(web.services)
    run_due(web.services, TimedMail())
    web.store.outbox().deliver(SmtpTransport(host=smtp.host, port=smtp.port, security="none"), now=at)


def _action_mail(smtp: SmtpServer) -> list[Received]:
    ids = [(r, str(r.message["Message-ID"])) for r in smtp.received]
    assert all(not i.startswith(" ") for _, i in ids)  # never folded
    return [r for r, i in ids if i.startswith(("<todo.", "<overdue."))]


def test_the_owner_is_reminded_on_their_own_morning_across_the_date_line_once(
    web: Web, smtp_server: SmtpServer
) -> None:
    tokyo = _create(web, text_ja="業界調査をお送りする", owner=WATANABE, due_date="2027-03-01")
    _create(web, text="Share the incubator terms", owner="santos", due_date="2027-03-01")

    _pass(web, smtp_server, datetime(2027, 2, 28, 23, 59, tzinfo=UTC))  # Tokyo Mon 08:59
    assert _action_mail(smtp_server) == []
    _pass(web, smtp_server, datetime(2027, 3, 1, 0, 0, tzinfo=UTC))  # Tokyo Mon 09:00 = Toronto Sun 19:00
    [first] = _action_mail(smtp_server)
    assert first.rcpt_tos == [WATANABE]
    body = first.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "本日" in body
    assert "業界調査をお送りする" in body
    assert "Send the sector study" in body  # the English below the Japanese
    assert "2027年3月1日月曜日" in body  # the owner's own Monday
    assert str(first.message["Subject"]).startswith("【本日期限】")

    _pass(web, smtp_server, datetime(2027, 3, 1, 0, 5, tzinfo=UTC))
    _pass(web, smtp_server, datetime(2027, 3, 1, 13, 59, tzinfo=UTC))
    assert len(_action_mail(smtp_server)) == 1  # once, however often the service looks
    _pass(web, smtp_server, datetime(2027, 3, 1, 14, 0, tzinfo=UTC))  # Toronto Mon 09:00
    assert [r.rcpt_tos for r in _action_mail(smtp_server)] == [[WATANABE], [SANTOS]]

    _patch(web, tokyo["id"], state="done")
    _pass(web, smtp_server, datetime(2027, 3, 2, 14, 0, tzinfo=UTC))  # both overdue mornings passed
    overdue = [r for r in _action_mail(smtp_server) if str(r.message["Subject"]).startswith("Overdue")]
    assert [r.rcpt_tos for r in overdue] == [[SANTOS]]  # the done item nudges nobody
    _pass(web, smtp_server, datetime(2027, 3, 3, 14, 0, tzinfo=UTC))
    assert len(_action_mail(smtp_server)) == 3
