"""CalDAV busy sources against a real Radicale server on 127.0.0.1, with authentication.

Real exports (recurring events, moved and cancelled instances, several time zones) are put on
the server one object per UID; read back over CalDAV they give the same busy time as the file,
a principal URL finds every calendar, a change on the server shows on the next read, and no
error or log line shows the password.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import caldav
import pytest

from scheduler.errors import CalendarError
from scheduler.ical import clear_cache, load_busy
from tests.ical.busy_support import DATA, MISSION, TORONTO, spans
from tests.ical.radicale_server import PASSWORD, USER, Radicale, objects_of, radicale

FILES = ["outlook-santos.ics", "google-brown.ics", "thunderbird-consulate.ics", "apple-jetro.ics"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    with radicale(tmp_path_factory.mktemp("radicale")) as found:
        client: Any = caldav.DAVClient(
            url=found.principal(), username=USER, password=PASSWORD, require_tls=False, enable_rfc6764=False
        )
        principal = client.principal()
        for name in FILES:
            cal = principal.make_calendar(name=name, cal_id=name.removesuffix(".ics"))
            for text in objects_of(DATA / name):
                cal.save_event(text)
        yield found


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWN_DAV", PASSWORD)
    clear_cache()


def _source(server: Radicale, path: str) -> str:
    return f"caldav+{server.base.replace('http://', f'http://{USER}:$BROWN_DAV@')}/{USER}/{path}"


def _busy(source: str, base: Path = DATA) -> list[str]:
    return spans(load_busy(source, base_dir=base, owner_zone=TORONTO, window=MISSION), TORONTO)


@pytest.mark.parametrize("name", FILES, ids=FILES)
def test_a_caldav_calendar_gives_the_same_busy_time_as_its_file(server: Radicale, name: str) -> None:
    from_file = _busy(name)
    assert from_file  # the comparison means something
    assert _busy(_source(server, name.removesuffix(".ics") + "/")) == from_file


def test_a_principal_url_reads_every_calendar_it_owns(server: Radicale) -> None:
    union = load_busy(FILES[0], base_dir=DATA, owner_zone=TORONTO, window=MISSION)
    for name in FILES[1:]:
        union |= load_busy(name, base_dir=DATA, owner_zone=TORONTO, window=MISSION)
    assert _busy(_source(server, "")) == spans(union, TORONTO)


def test_a_change_on_the_server_shows_on_the_next_read(server: Radicale) -> None:
    client: Any = caldav.DAVClient(
        url=server.principal(), username=USER, password=PASSWORD, require_tls=False, enable_rfc6764=False
    )
    cal = client.principal().make_calendar(name="changes", cal_id="changes")
    source = _source(server, "changes/")
    assert _busy(source) == []
    event = cal.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:late@test\r\n"
        "DTSTAMP:20270101T000000Z\r\nDTSTART;TZID=America/Toronto:20270216T090000\r\n"
        "DTEND;TZID=America/Toronto:20270216T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert _busy(source) == ["2027-02-16 09:00-10:00"]
    event.icalendar_component["DTSTART"].dt += timedelta(hours=4)
    event.icalendar_component["DTEND"].dt += timedelta(hours=4)
    event.save()
    assert _busy(source) == ["2027-02-16 13:00-14:00"]


def test_a_wrong_password_is_an_error_that_does_not_show_it(
    server: Radicale, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BROWN_DAV", "not-" + PASSWORD)
    with caplog.at_level(logging.DEBUG), pytest.raises(CalendarError, match="CalDAV") as caught:
        _busy(_source(server, "google-brown/"))
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in caplog.text
    assert caught.value.source == _source(server, "google-brown/")  # the name, not the value
