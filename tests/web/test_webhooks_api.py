"""The webhooks API and page of a mission (issue 16), and the event schemas in the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from scheduler.core.webhooks import EVENT_TYPES
from scheduler.web.webhook_schemas import EVENT_MODELS
from scheduler.webhooks import HttpWebhookSender
from tests.web.conftest import Web
from tests.web.test_coordinator_pages import _csrf, _log_in
from tests.webhooks.receiver import Receiver, receiving


@pytest.fixture
def loopback_allowed(web: Web) -> Iterator[Web]:
    """The app as `SCHEDULER_WEBHOOKS_ALLOW_PRIVATE=1` builds it (the app is shared: restored after)."""
    before = web.app.state.settings
    web.app.state.settings = replace(before, webhooks_allow_private=True)
    yield web
    web.app.state.settings = before


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


def test_the_openapi_document_publishes_every_event_body_schema(web: Web) -> None:
    doc = web.client.get("/openapi.json").json()
    assert list(doc["webhooks"]) == list(EVENT_TYPES)
    schemas = doc["components"]["schemas"]
    for event_type, model in EVENT_MODELS.items():
        ref = doc["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
        name = ref["$ref"].rsplit("/", 1)[1]
        assert name == model.__name__
        event = schemas[name]
        assert event["required"] == ["type", "timestamp", "data"]
        assert event["properties"]["type"]["const"] == event_type
        assert "webhook-signature" in doc["webhooks"][event_type]["post"]["description"]
    created = schemas["BookingCreatedData"]
    assert set(created["required"]) >= {"mission_id", "meeting_id", "booking_id", "start", "end", "sequence"}
    assert created["properties"]["start"]["format"] == "date-time"
    assert "/api/missions/{mission_id}/webhooks" in doc["paths"]


def test_register_shows_the_secret_once_and_never_again(loopback_allowed: Web, receiver: Receiver) -> None:
    web = loopback_allowed
    r = web.api(
        "POST", "/webhooks", json={"url": receiver.url, "events": ["booking.created"], "description": "CRM"}
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", made["secret"])
    assert (made["url"], made["events"], made["active"]) == (receiver.url, ["booking.created"], True)
    listed = web.api("GET", "/webhooks").json()
    assert [e["id"] for e in listed] == [made["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in web.api("GET", f"/webhooks/{made['id']}").json()
    assert made["secret"] not in web.api("GET", f"/webhooks/{made['id']}/deliveries").text


def test_private_urls_and_unknown_events_are_refused_naming_the_field(web: Web) -> None:
    r = web.api("POST", "/webhooks", json={"url": "http://127.0.0.1:6379/"})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "url"
    assert "private address" in error["message"]
    r = web.api("POST", "/webhooks", json={"url": "http://169.254.169.254/latest/meta-data/"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "url")
    r = web.api("POST", "/webhooks", json={"url": "https://93.184.215.14/x", "events": ["booking.made"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "events[0]"
    r = web.api("POST", "/webhooks", json={"url": "https://93.184.215.14/x", "extra": 1})
    assert r.status_code == 422
    assert web.api("GET", "/webhooks").json() == []  # nothing half-written


def test_change_pause_delete_and_another_missions_endpoint(loopback_allowed: Web, receiver: Receiver) -> None:
    web = loopback_allowed
    made = web.api("POST", "/webhooks", json={"url": receiver.url}).json()
    r = web.api("PATCH", f"/webhooks/{made['id']}", json={"events": ["mission.planned"], "active": False})
    assert (r.status_code, r.json()["events"], r.json()["active"]) == (200, ["mission.planned"], False)
    web.app.state.settings = replace(web.app.state.settings, webhooks_allow_private=False)
    r = web.api("PATCH", f"/webhooks/{made['id']}", json={"url": "http://localhost/x"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "url")
    other = web.client.get(f"/api/missions/{web.mission_id + 1}/webhooks/{made['id']}", headers=web.auth)
    assert other.status_code == 404
    assert web.api("DELETE", f"/webhooks/{made['id']}").status_code == 204
    assert web.api("GET", f"/webhooks/{made['id']}").status_code == 404
    assert web.client.get(f"/api/missions/{web.mission_id}/webhooks").status_code == 401  # a login is needed


def test_a_booking_over_the_api_is_delivered_logged_and_replayed(
    loopback_allowed: Web, receiver: Receiver
) -> None:
    web = loopback_allowed
    made = web.api("POST", "/webhooks", json={"url": receiver.url, "events": ["proposal.created"]}).json()
    assert web.api("POST", "/meetings/jetro-briefing/proposals").status_code == 201
    sender = HttpWebhookSender(allow_private=True)
    receiver.answers.append((503, b"busy, later"))
    web.store.webhooks().deliver(sender, web.clock)
    (delivery,) = web.api("GET", f"/webhooks/{made['id']}/deliveries").json()
    assert (delivery["event_type"], delivery["status"], delivery["attempts"]) == (
        "proposal.created",
        "queued",
        1,
    )
    assert [(a["status_code"], a["response_excerpt"]) for a in delivery["log"]] == [(503, "busy, later")]
    assert delivery["next_attempt_at"] is not None
    r = web.api("POST", f"/webhooks/{made['id']}/deliveries/{delivery['webhook_id']}/replay")
    assert r.status_code == 202
    web.store.webhooks().deliver(sender, web.clock)  # due at once after the replay, not after the backoff
    (after,) = web.api("GET", f"/webhooks/{made['id']}/deliveries").json()
    assert (after["status"], after["log"][-1]["replay"], after["log"][-1]["status_code"]) == (
        "sent",
        True,
        200,
    )
    assert receiver.ids() == [delivery["webhook_id"]] * 2
    missing = web.api("POST", f"/webhooks/{made['id']}/deliveries/msg_nothing/replay")
    assert missing.status_code == 404


def test_the_page_registers_shows_the_secret_once_and_replays(
    loopback_allowed: Web, receiver: Receiver
) -> None:
    web = loopback_allowed
    _log_in(web)
    base = f"/missions/{web.mission_id}/webhooks"
    page = web.client.get(base)
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert " style=" not in page.text
    assert not re.search(r"\son[a-z]+=", page.text)
    token = _csrf(page.text)
    r = web.client.post(
        base, data={"csrf_token": token, "url": receiver.url, "events": ["proposal.created"], "lang": "en"}
    )
    assert r.status_code == 200
    secret = re.search(r"data-secret>(whsec_[^<]+)<", r.text)
    assert secret is not None
    assert secret.group(1) not in web.client.get(base).text  # shown once
    allowing = web.app.state.settings
    web.app.state.settings = replace(allowing, webhooks_allow_private=False)  # as served by default
    refused = web.client.post(base, data={"csrf_token": token, "url": "http://10.0.0.1/x", "lang": "en"})
    web.app.state.settings = allowing
    assert refused.status_code == 422
    assert "private address" in refused.text
    assert 'value="http://10.0.0.1/x"' in refused.text  # the form keeps what was typed
    web.api("POST", "/meetings/jetro-briefing/proposals")
    web.store.webhooks().deliver(HttpWebhookSender(allow_private=True), web.clock)
    shown = web.client.get(base).text
    (webhook_id,) = re.findall(r'data-webhook-id="([^"]+)" data-status="sent"', shown)
    endpoint_id = re.search(r'data-endpoint="(\d+)"', shown)
    assert endpoint_id is not None
    r = web.client.post(
        f"{base}/{endpoint_id.group(1)}/replay",
        data={"csrf_token": token, "webhook_id": webhook_id, "lang": "en"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert f'data-webhook-id="{webhook_id}" data-status="queued"' in web.client.get(base).text
    no_csrf = web.client.post(f"{base}/{endpoint_id.group(1)}/delete", data={"lang": "en"})
    assert no_csrf.status_code == 403
    r = web.client.post(f"{base}/{endpoint_id.group(1)}/delete", data={"csrf_token": token, "lang": "en"})
    assert "data-endpoint=" not in r.text
