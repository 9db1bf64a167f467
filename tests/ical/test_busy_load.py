"""Loading calendars from files and http(s) URLs, the errors that name them, and the cache."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.errors import CalendarError
from scheduler.ical import clear_cache, load_busy, parse_busy
from scheduler.ical import fetch as fetch_module
from tests.ical.busy_support import DATA, MISSION, TORONTO, event, ics, spans

GOOD = ics(
    *event("DTSTART;TZID=America/Toronto:20270216T090000", "DTEND;TZID=America/Toronto:20270216T100000")
)
OTHER = ics(
    *event("DTSTART;TZID=America/Toronto:20270217T090000", "DTEND;TZID=America/Toronto:20270217T100000")
)


def load(source: str, base_dir: Path) -> list[str]:
    return spans(load_busy(source, base_dir=base_dir, owner_zone=TORONTO, window=MISSION), TORONTO)


def test_a_file_is_read_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "brown.ics").write_text(GOOD, encoding="utf-8", newline="")
    assert load("calendars/brown.ics", tmp_path) == ["2027-02-16 09:00-10:00"]


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="no such file") as caught:
        load("calendars/nobody.ics", tmp_path)
    assert caught.value.source == "calendars/nobody.ics"


def test_a_directory_is_not_a_calendar(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="not a file"):
        load(".", tmp_path)


def test_a_parse_error_in_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.ics").write_text(
        GOOD.replace("DTEND;TZID=America/Toronto:", "DTEND;TZID=America/Toronto;X:"), encoding="utf-8"
    )
    with pytest.raises(CalendarError) as caught:
        load_busy("bad.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION, strict=True)
    assert (caught.value.source, caught.value.line) == ("bad.ics", 8)


def test_a_repeat_query_of_an_unchanged_file_comes_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "brown.ics"
    path.write_text(GOOD, encoding="utf-8")
    first = load_busy("brown.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)
    again = load_busy("brown.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)
    assert again is first


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "brown.ics"
    path.write_text(GOOD, encoding="utf-8")
    assert load("brown.ics", tmp_path) == ["2027-02-16 09:00-10:00"]
    path.write_text(OTHER, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load("brown.ics", tmp_path) == ["2027-02-17 09:00-10:00"]


def test_the_same_content_in_another_zone_or_window_is_not_taken_from_the_cache() -> None:
    clear_cache()
    toronto = parse_busy(GOOD, source="a", owner_zone=TORONTO, window=MISSION)
    assert parse_busy(GOOD, source="b", owner_zone=TORONTO, window=MISSION) is toronto
    floating = GOOD.replace(";TZID=America/Toronto", "")
    assert parse_busy(floating, source="c", owner_zone="Asia/Tokyo", window=MISSION) != toronto


def test_a_failed_parse_is_not_cached() -> None:
    bad = "BEGIN:VCALENDAR\r\nnonsense\r\n"
    for _ in range(2):
        with pytest.raises(CalendarError):
            parse_busy(bad, source="bad.ics", owner_zone=TORONTO, window=MISSION, strict=True)


# --- http(s) -----------------------------------------------------------------------------------
class _Calendars(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/brown.ics":
            body = (DATA / "google-brown.ics").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow.ics":
            self.server.release.wait(5)  # type: ignore[attr-defined]
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Calendars)
    httpd.release = threading.Event()  # type: ignore[attr-defined]
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.release.set()  # type: ignore[attr-defined]
        httpd.shutdown()
        httpd.server_close()


def test_a_calendar_is_fetched_over_http(server: str, tmp_path: Path) -> None:
    from_url = load_busy(f"{server}/brown.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)
    from_file = load_busy("google-brown.ics", base_dir=DATA, owner_zone=TORONTO, window=MISSION)
    assert (from_url, len(from_url)) == (from_file, 10)


def test_an_http_error_names_the_url_and_status(server: str, tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="HTTP 404") as caught:
        load_busy(f"{server}/gone.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)
    assert caught.value.source == f"{server}/gone.ics"


def test_a_refused_connection_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    with pytest.raises(CalendarError, match="cannot fetch"):
        load_busy(f"http://127.0.0.1:{port}/x.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)


def test_a_server_that_does_not_answer_times_out(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch_module, "FETCH_TIMEOUT", 0.3)  # the real limit is 10 s
    with pytest.raises(CalendarError, match=r"no answer within 0\.3 s|timed out"):
        load_busy(f"{server}/slow.ics", base_dir=tmp_path, owner_zone=TORONTO, window=MISSION)
