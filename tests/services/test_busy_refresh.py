"""Refreshing an ICS URL busy source against a real local HTTP server (issue 14).

The server answers 200 with an ETag, then 304 to the conditional GET, then 404 and 500, then
200 with new content: the last good copy is kept through the failures, the status says what
happened, a source failing for a day is listed for the digest, and recovery clears it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.app.jobs import Runtime, busy_refresh_job, register
from scheduler.core.models import Mission
from scheduler.core.sources import failing_for
from scheduler.errors import Conflict
from scheduler.ical import clear_cache
from scheduler.ical.sources import LiveBusySource
from scheduler.mail.transports import MaildirTransport
from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, import_mission
from scheduler.services.busy_refresh import busy_sources, refresh_busy
from scheduler.services.timed import sweep
from scheduler.store import Store
from tests.builders import delegate
from tests.ical.busy_support import event, ics
from tests.services.test_timed import queued, run, text_of
from tests.store.sample import at, sample_mission

READER = LiveBusySource()
BROWN = delegate("brown").name


@dataclass
class _State:
    mode: str = "ok"
    body: bytes = b""
    etag: str = '"v1"'
    conditional: list[str | None] = field(default_factory=list)


def _calendar(hour: int) -> bytes:
    return ics(*event(f"DTSTART:20270216T{hour:02d}0000Z", "DURATION:PT1H")).encode()


@pytest.fixture
def feed() -> Iterator[tuple[str, _State]]:
    state = _State(body=_calendar(14))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.conditional.append(self.headers.get("If-None-Match"))
            if state.mode in ("404", "500"):
                self.send_error(int(state.mode))
            elif self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("ETag", state.etag)
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    clear_cache()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/brown.ics", state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _mission(url: str) -> Mission:
    brown = replace(delegate("brown"), busy_sources=(url,))
    return sample_mission(delegates=[brown, delegate("santos"), delegate("mccallion")])


def _busy(services: Services, mission_id: int) -> list[tuple[int, int]]:
    with services.uow() as uow:
        busy = uow.mission(mission_id).participant("brown").busy
    return [(s.day, s.hour) for s, _ in busy]


def test_a_failing_source_keeps_its_last_good_copy_and_recovers(
    services: Services, clock: FixedClock, feed: tuple[str, _State]
) -> None:
    url, state = feed
    mission_id = import_mission(services, _mission(url), source="api")

    assert refresh_busy(services, READER, mission_id).changed == 1
    assert _busy(services, mission_id) == [(16, 14)]
    assert refresh_busy(services, READER, mission_id).unchanged == 1  # 304: the same copy
    assert state.conditional[-1] == '"v1"'
    first_failure = clock.now() + timedelta(hours=1)
    clock.at = first_failure
    state.mode = "404"
    assert refresh_busy(services, READER, mission_id).failed == 1
    (source,) = busy_sources(services, mission_id)
    assert (source.stale, source.failing_since) == (True, first_failure)
    assert "HTTP 404" in source.error
    assert _busy(services, mission_id) == [(16, 14)]  # the last good copy

    clock.at = first_failure + timedelta(days=1)
    state.mode = "500"
    refresh_busy(services, READER, mission_id)
    (source,) = busy_sources(services, mission_id)
    assert "HTTP 500" in source.error
    assert failing_for([source], clock.now(), timedelta(days=1)) == [source]
    assert _busy(services, mission_id) == [(16, 14)]

    state.mode, state.body, state.etag = "ok", _calendar(18), '"v2"'
    assert refresh_busy(services, READER, mission_id).changed == 1
    (source,) = busy_sources(services, mission_id)
    assert (source.stale, source.error, source.failing_since, source.etag) == (False, "", None, '"v2"')
    assert _busy(services, mission_id) == [(16, 18)]


def test_a_fresh_enough_source_is_not_read_again(
    services: Services, clock: FixedClock, feed: tuple[str, _State]
) -> None:
    url, state = feed
    mission_id = import_mission(services, _mission(url), source="api")
    refresh_busy(services, READER, mission_id)
    clock.at = clock.now() + timedelta(minutes=10)
    report = refresh_busy(services, READER, mission_id, people={"brown"}, max_age=timedelta(minutes=15))
    assert (report.skipped_fresh, len(state.conditional)) == (1, 1)
    clock.at = clock.now() + timedelta(minutes=10)
    report = refresh_busy(services, READER, mission_id, people={"brown"}, max_age=timedelta(minutes=15))
    assert (report.unchanged, len(state.conditional)) == (1, 2)


def test_a_booking_rechecks_busy_time_older_than_the_setting(
    services: Services, clock: FixedClock, feed: tuple[str, _State]
) -> None:
    url, state = feed
    live = replace(
        services, busy_reader=READER, settings=replace(services.settings, busy_max_age=timedelta(minutes=15))
    )
    mission_id = import_mission(live, _mission(url), source="api")
    refresh_busy(live, READER, mission_id)
    # Brown's calendar gains an event over the common evening; the copy read is 20 minutes old.
    state.body, state.etag = ics(*event("DTSTART:20270217T000000Z", "DURATION:PT30M")).encode(), '"v2"'
    clock.at = clock.now() + timedelta(minutes=20)
    with pytest.raises(Conflict):
        book_time(live, mission_id, "brown-jetro", at(17, 0))
    assert _busy(live, mission_id) == [(17, 0)]  # read again before the booking was checked
    book_time(live, mission_id, "brown-jetro", at(17, 1))  # after the new event: fine


def test_the_timed_job_refreshes_every_missions_sources(
    services: Services, store: Store, feed: tuple[str, _State], tmp_path: Path
) -> None:
    url, state = feed
    live = replace(services, busy_reader=READER)
    mission_id = import_mission(live, _mission(url), source="api")
    runtime_id = register(Runtime(store=store, services=live, transport=MaildirTransport(tmp_path)))
    assert busy_refresh_job(runtime_id) == 0
    assert _busy(live, mission_id) == [(16, 14)]
    state.mode = "500"
    assert busy_refresh_job(runtime_id) == 1
    (source,) = busy_sources(live, mission_id)
    assert "HTTP 500" in source.error


def test_a_source_that_stays_failing_is_in_the_coordinators_digest(
    services: Services, store: Store, clock: FixedClock, feed: tuple[str, _State]
) -> None:
    url, state = feed
    mission_id = import_mission(services, _mission(url), source="api")
    state.mode = "500"
    sweep(services)  # the first digest is due at 08:00 Toronto, 13:00 UTC
    refresh_busy(services, READER, mission_id)  # failing since 12:00 UTC
    run(services, clock, clock.now() + timedelta(hours=1, minutes=5))
    [(_, first)] = queued(store, "digest")
    assert "cannot be read" not in text_of(first)  # an hour's outage is for the pages only
    refresh_busy(services, READER, mission_id)
    run(services, clock, clock.now() + timedelta(days=1))
    [_, (_, second)] = queued(store, "digest")
    body = text_of(second)
    assert "Calendars that cannot be read (their last good copy is used):" in body
    [line] = [x for x in body.splitlines() if "HTTP 500" in x]
    assert line.startswith(f"- {BROWN}: {url}: HTTP 500 ")
