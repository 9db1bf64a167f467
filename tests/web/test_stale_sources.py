"""A busy source that fails is marked stale on the meeting page, and no credential leaks (issue 14).

A real local HTTP server answers 500 for a calendar behind a login whose password is named
in the URL (`$BROWN_CAL`); the value must appear in no log line, error, page or export.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.errors import CalendarError
from scheduler.ical import load_busy
from scheduler.ical.sources import LiveBusySource
from scheduler.services import import_mission
from scheduler.services.busy_refresh import refresh_busy
from tests.ical.busy_support import MISSION, TORONTO
from tests.web.conftest import Web, sample_mission
from tests.web.test_coordinator_pages import _log_in

PASSWORD = "never-Show-Me-42"


class _Broken(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(500)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def broken() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_failing_source_is_marked_stale_and_no_credential_appears_anywhere(
    web: Web, broken: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BROWN_CAL", PASSWORD)
    url = f"http://brown:$BROWN_CAL@{broken}/brown.ics"
    base = sample_mission()
    people = tuple(replace(p, busy_sources=(url,)) if p.id == "brown" else p for p in base.delegates)
    mission_id = import_mission(
        web.services, replace(base, delegates=people), source="api", owner=web.user_id
    )
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        assert refresh_busy(web.services, LiveBusySource(), mission_id).failed == 1
        _log_in(web)
        page = web.client.get(f"/missions/{mission_id}/meetings/jetro-briefing")
        assert page.status_code == 200
        assert 'data-stale-source="brown"' in page.text
        assert "HTTP 500" in page.text
        texts.append(page.text)
        export = web.client.get(f"/api/missions/{mission_id}/export", headers=web.auth)
        assert export.status_code == 200
        assert "$BROWN_CAL" in export.text  # the name travels, never the value
        texts.append(export.text)
        with pytest.raises(CalendarError) as literal:  # a password written in a URL: refused, not shown
            load_busy(
                f"http://brown:{PASSWORD}@{broken}/x.ics",
                base_dir=Path("."),
                owner_zone=TORONTO,
                window=MISSION,
            )
        texts.append(str(literal.value))
        for path in ("", "/itinerary"):
            texts.append(web.client.get(f"/missions/{mission_id}{path}").text)
    texts.append(caplog.text)
    assert all(PASSWORD not in t for t in texts)
