"""`scheduler check` reads a calendar with a broken event by skipping it; `--strict` refuses it (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.ical import clear_cache
from tests.cli.test_find import MISSION

BROKEN = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//check//EN",
        "BEGIN:VEVENT",
        "UID:fine@test",
        "DTSTAMP:20270101T000000Z",
        "DTSTART;TZID=America/Toronto:20270216T090000",
        "DTEND;TZID=America/Toronto:20270216T100000",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:backwards@test",
        "DTSTAMP:20270101T000000Z",
        "DTSTART;TZID=America/Toronto:20270217T090000",
        "DTEND;TZID=America/Toronto:20270217T080000",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "brown.ics").write_text(BROKEN, encoding="utf-8")
    text = MISSION.replace(
        'hours = { mon-fri = "07:00-22:00" }', 'hours = { mon-fri = "07:00-22:00" }\nbusy = ["brown.ics"]', 1
    )
    assert text != MISSION
    path = tmp_path / "mission.toml"
    path.write_text(text, encoding="utf-8")
    clear_cache()
    return path


def test_check_skips_a_broken_event_and_strict_refuses_it(
    config: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["check", str(config)]) == 0
    assert "(1 busy spans read)" in capsys.readouterr().out
    assert "line 14, event 'backwards@test': DTEND is before DTSTART" in caplog.text
    assert main(["check", str(config), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "brown.ics, line 14" in err
    assert "DTEND is before DTSTART" in err
