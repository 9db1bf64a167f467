"""ICS URLs as the major clients read them: webcal:// falling back to plain HTTP, credentials by
name (environment or secrets file), and no password in any error or log line. A real local
HTTP server on 127.0.0.1 answers."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.errors import CalendarError
from scheduler.ical import clear_cache, load_busy
from scheduler.ical.fetch import fetch
from tests.ical.busy_support import DATA, MISSION, TORONTO

PASSWORD = "s3cret-Pa55word"  # what the server accepts; must never show in errors or logs
EXPECTED = "Basic " + base64.b64encode(f"brown:{PASSWORD}".encode()).decode()
BODY = (DATA / "google-brown.ics").read_bytes()


class _Private(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/open.ics" or self.headers.get("Authorization") == EXPECTED:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
            return
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="calendars"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Private)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    clear_cache()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def _load(url: str) -> int:
    return len(load_busy(url, base_dir=Path("."), owner_zone=TORONTO, window=MISSION))


def test_webcal_falls_back_to_plain_http_when_the_server_has_no_tls(port: int) -> None:
    assert _load(f"webcal://127.0.0.1:{port}/open.ics") == 10


def test_webcals_never_falls_back_to_plain_http(port: int) -> None:
    with pytest.raises(CalendarError, match="cannot fetch"):
        fetch(f"webcals://127.0.0.1:{port}/open.ics")


def test_a_password_named_in_the_url_comes_from_the_environment(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWN_CAL", PASSWORD)
    assert _load(f"http://brown:$BROWN_CAL@127.0.0.1:{port}/private.ics") == 10


def test_a_password_named_in_the_url_comes_from_the_secrets_file(
    port: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BROWN_CAL", raising=False)
    (tmp_path / "secrets.toml").write_text(f'BROWN_CAL = "{PASSWORD}"\n', encoding="utf-8")
    monkeypatch.setenv("SCHEDULER_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    assert _load(f"webcal://brown:$BROWN_CAL@127.0.0.1:{port}/private.ics") == 10


def test_a_missing_secret_is_named_without_a_value(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOBODY_CAL", raising=False)
    monkeypatch.delenv("SCHEDULER_SECRETS_FILE", raising=False)
    with pytest.raises(CalendarError, match="secret 'NOBODY_CAL' is not in the environment"):
        _load(f"http://brown:$NOBODY_CAL@127.0.0.1:{port}/private.ics")


def test_a_wrong_secret_is_a_401_that_shows_no_password(
    port: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BROWN_CAL", PASSWORD + "-old")
    with caplog.at_level(logging.DEBUG), pytest.raises(CalendarError, match="HTTP 401") as caught:
        _load(f"webcal://brown:$BROWN_CAL@127.0.0.1:{port}/private.ics")
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in caplog.text


def test_a_password_written_in_the_url_is_refused_without_showing_it(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(CalendarError, match=r"write user:\$NAME@") as caught:
        _load(f"https://brown:{PASSWORD}@127.0.0.1:{port}/private.ics")
    assert PASSWORD not in str(caught.value)
    assert caught.value.source == f"https://brown:***@127.0.0.1:{port}/private.ics"
    assert PASSWORD not in caplog.text
