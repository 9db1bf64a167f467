"""`scheduler import CONFIG` and `scheduler export MISSION_ID [--out FILE]` on a real SQLite file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.mission.reader import load_mission
from scheduler.mission.writer import rebase_sources

ROOT = Path(__file__).resolve().parents[2]


def test_import_then_export_gives_back_the_same_mission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'scheduler.db'}"
    assert main(["import", str(ROOT / "config.toml"), "--db", db]) == 0
    printed = capsys.readouterr().out
    match = re.search(r"as mission (\d+)", printed)
    assert match, printed
    out = tmp_path / "elsewhere" / "mission.toml"
    out.parent.mkdir()
    assert main(["export", match.group(1), "--db", db, "--out", str(out)]) == 0
    # Written in another folder, its calendar paths still lead to the same calendars: the busy
    # time read is the same, and the paths are the original ones seen from the new folder.
    exported, original = load_mission(out), load_mission(ROOT / "config.toml")
    assert [p.busy for p in exported.participants] == [p.busy for p in original.participants]
    assert rebase_sources(exported, out.parent, ROOT) == original


def test_export_to_stdout_is_the_mission_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'scheduler.db'}"
    main(["import", str(ROOT / "config.toml"), "--db", db])
    capsys.readouterr()
    assert main(["export", "1", "--db", db]) == 0
    text = capsys.readouterr().out
    assert text.startswith("[mission]\n")
    assert 'name = "Brampton Virtual Mission to Japan"' in text


def test_export_of_an_unknown_mission_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "7", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "no mission with id 7" in capsys.readouterr().err


def test_import_of_a_bad_file_exits_2_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[mission]\nname = "x"\n', encoding="utf-8")
    db = tmp_path / "x.db"
    assert main(["import", str(bad), "--db", f"sqlite:///{db}"]) == 2
    assert "mission.timezone" in capsys.readouterr().err
    assert not db.exists()


def test_the_database_url_printed_never_shows_its_password() -> None:
    from scheduler.store import shown_url

    shown = shown_url("postgresql+psycopg://mission:s3cret-pw@db.example.org:5432/scheduler")
    assert shown == "postgresql+psycopg://mission:***@db.example.org:5432/scheduler"
