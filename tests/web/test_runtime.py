"""The main job: the demo (moved forward by whole weeks when its dates have passed) and serving."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from scheduler.app.jobs import service_runtime, start
from scheduler.app.runtime import prepare_demo, shift_mission, weeks_to_shift
from scheduler.core.zones import to_local
from scheduler.mail.transports import MaildirTransport
from scheduler.ports import FixedClock
from scheduler.services import list_proposals
from scheduler.store import open_store
from scheduler.web import WebSettings, create_app
from tests.web.conftest import ROOT, SECRET, sample_mission
from tests.web.server import free_port, running


def test_a_mission_in_the_future_is_not_moved() -> None:
    assert weeks_to_shift(sample_mission(), datetime(2027, 1, 1, tzinfo=UTC), timedelta(hours=24)) == 0


def test_a_past_mission_moves_by_whole_weeks_to_its_next_occurrence() -> None:
    mission = sample_mission()
    now = datetime(2027, 6, 2, 12, tzinfo=UTC)  # a Wednesday, long after February
    weeks = weeks_to_shift(mission, now, timedelta(hours=24))
    moved = shift_mission(mission, weeks)
    assert (moved.start - mission.start).days == 7 * weeks
    assert moved.start.weekday() == mission.start.weekday()
    assert now + timedelta(hours=24) < datetime.combine(moved.start, datetime.min.time(), UTC)
    assert moved.start - timedelta(days=7) <= (now + timedelta(hours=24)).date()  # the *next* occurrence


def test_moving_keeps_wall_clock_times_across_a_dst_change() -> None:
    mission = sample_mission()
    brown = mission.participant("brown")
    moved = shift_mission(mission, 4)  # from February (EST) into March (EDT)
    first_busy = next(iter(brown.busy))
    moved_busy = next(iter(moved.participant("brown").busy))
    before, after = to_local(first_busy[0], "America/Toronto"), to_local(moved_busy[0], "America/Toronto")
    assert (after.date() - before.date(), after.time()) == (timedelta(days=28), before.time())
    assert moved.participant("brown").overrides.keys() == {d + timedelta(days=28) for d in brown.overrides}


def test_the_demo_moves_a_past_mission_plans_and_proposes_only_future_times(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    clock = FixedClock(datetime(2027, 6, 2, 12, tzinfo=UTC))
    said: list[str] = []
    settings = WebSettings(secret_key=SECRET, base_url="http://127.0.0.1:8000")
    try:
        demo = prepare_demo(
            ROOT / "config.toml", settings, store=store, clock=clock, say=said.append, time_limit=3
        )
        assert demo.weeks_shifted > 0
        assert said[0].startswith(
            f"The sample mission's dates have passed: moved forward {demo.weeks_shifted} weeks"
        )
        assert demo.links
        assert all(link.startswith("http://127.0.0.1:8000/book/") for _, link in demo.links)
        app = create_app(settings, store=store, clock=clock)
        earliest = clock.at + timedelta(hours=24)
        proposals = list_proposals(app.state.services, demo.mission_id)
        assert len(proposals) == len(demo.links)
        assert all(o.start >= earliest for p in proposals for o in p.options)
    finally:
        store.close()


def test_the_served_app_delivers_its_outbox(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'serve.db'}")
    port = free_port()
    app = create_app(WebSettings(secret_key=SECRET), store=store)
    maildir = tmp_path / "maildir"
    # The same jobs `scheduler serve` starts, with a short delivery interval for the test.
    loop = start(service_runtime(store, MaildirTransport(maildir), None), intervals={"outbox-delivery": 0.05})
    try:
        with running(app, port) as base:
            docs = httpx.get(f"{base}/docs")
            assert docs.status_code == 200
            assert "swagger" in docs.text.lower()
            assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "Mission scheduler"
            from scheduler.ports import Envelope

            store.outbox().enqueue(
                Envelope(
                    message_id="<t.1@example.org>",
                    sender="a@example.org",
                    recipients=("b@example.org",),
                    data=b"Subject: hi\r\n\r\nhello\r\n",
                ),
                now=datetime.now(UTC),
            )
            deadline = datetime.now(UTC) + timedelta(seconds=10)
            while not list((maildir / "new").iterdir()) and datetime.now(UTC) < deadline:
                time.sleep(0.05)
            assert len(list((maildir / "new").iterdir())) == 1
    finally:
        loop.stop()
        store.close()
