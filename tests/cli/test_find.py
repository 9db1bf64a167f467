"""`scheduler find` and `scheduler overlap` on small mission files: table, exact JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.cli import main

MISSION = """
[mission]
name = "Test mission"
timezone = "America/Toronto"
start = 2027-02-15
end = 2027-02-26
step = "15m"
buffer = "15m"
organizer = { name = "Economic Development Office", email = "edo@brampton.example.org" }

[[delegates]]
id = "brown"
name = "Patrick Brown"
email = "mayor@brampton.example.org"
timezone = "America/Toronto"
holidays = "CA-ON"
hours = { mon-fri = "07:00-22:00" }
preferred = { mon-thu = "08:00-18:00" }

[[delegates]]
id = "hazel"
name = "Hazel McCallion"
email = "hazel@brampton.example.org"
timezone = "America/Toronto"
hours = { wed = "19:00-22:00" }

[[counterparts]]
id = "jetro"
name = "Japan External Trade Organization (JETRO)"
timezone = "Asia/Tokyo"
holidays = "JP"
hours = { mon-fri = "09:00-18:00" }
preferred = { mon-fri = "10:00-17:00" }
contacts = [{ name = "Sato Hanako", email = "sato@jetro.example.jp", language = "ja" }]

[[meetings]]
id = "briefing"
title = "Briefing on Japan"
delegates = ["brown"]
counterparts = ["jetro"]
optional = ["hazel"]
duration = "60m"

[[meetings]]
id = "friday"
title = "Friday call"
delegates = ["brown"]
counterparts = ["jetro"]
duration = "60m"
not_before = 2027-02-19
not_after = 2027-02-19
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mission.toml"
    path.write_text(MISSION, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_find_json_has_exactly_the_contract_keys(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", str(config), "--meeting", "briefing", "--top", "2", "--json")
    doc = json.loads(out)
    assert code == 0
    assert list(doc) == ["meeting", "slots", "reasons"]
    assert doc["meeting"] == "briefing"
    assert len(doc["slots"]) == 2
    first = doc["slots"][0]
    assert list(first) == ["start", "end", "local", "optional_free", "score"]
    assert first["start"] == "2027-02-18T01:00:00Z"  # Wed 20:00 EST: Hazel is free, JETRO at 10:00
    assert first["end"] == "2027-02-18T02:00:00Z"
    assert first["local"] == {
        "brown": "2027-02-17T20:00:00-05:00",
        "jetro": "2027-02-18T10:00:00+09:00",
        "hazel": "2027-02-17T20:00:00-05:00",
    }
    assert first["optional_free"] == ["hazel"]
    assert first["score"]["comfort"] == {"brown": 40, "jetro": 100}
    assert set(first["score"]) == {"value", "optional_free", "worst_comfort", "mean_comfort", "comfort"}
    assert doc["reasons"] == []


def test_find_top_zero_lists_every_slot(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "find", str(config), "--meeting", "briefing", "--top", "0", "--json")
    starts = [s["start"] for s in json.loads(out)["slots"]]
    assert len(starts) == 54
    assert len(set(starts)) == 54


def test_find_with_no_slot_exits_0_with_reasons(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", str(config), "--meeting", "friday", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["slots"] == []
    assert doc["reasons"][0] == (
        "no overlap of brown 07:00–22:00 America/Toronto and jetro 09:00–18:00 Asia/Tokyo on Fri 2027-02-19"
    )


def test_find_table_shows_everyones_local_time(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", str(config), "--meeting", "briefing", "--top", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "briefing: Briefing on Japan (1h), 2 of 54 slots, best first"
    assert lines[1].split() == [
        "#",
        "brown",
        "jetro",
        "hazel",
        "(optional)",
        "optional",
        "free",
        "worst",
        "mean",
    ]
    assert (
        " ".join(lines[2].split())
        == "1 Wed 17 Feb 20:00 EST Thu 18 Feb 10:00 JST Wed 17 Feb 20:00 EST hazel 40 70"
    )


def test_find_table_with_no_slot_says_why(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "find", str(config), "--meeting", "friday")
    assert out.splitlines()[:3] == [
        "friday: Friday call (1h), no slot",
        "why:",
        "  - no overlap of brown 07:00–22:00 America/Toronto and jetro 09:00–18:00 Asia/Tokyo"
        " on Fri 2027-02-19",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--meeting", "nope"], "error: no meeting 'nope'"),
        (
            ["--meeting", "briefing", "--top", "-1"],
            "error: --top: give 0 (all slots) or a positive number, not -1",
        ),
    ],
    ids=["unknown-meeting", "negative-top"],
)
def test_find_bad_input_is_one_line_and_exit_2(
    config: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "find", str(config), *argv)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(message)


def test_find_reads_config_toml_in_the_current_folder(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (config.parent / "config.toml").write_text(MISSION, encoding="utf-8")
    monkeypatch.chdir(config.parent)
    code, out, _ = run(capsys, "find", "--meeting", "briefing", "--json")
    assert code == 0
    assert len(json.loads(out)["slots"]) == 5


def test_overlap_shows_each_day_in_both_zones(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", str(config))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "brown, jetro (for briefing, friday)"
    assert lines[1] == "  Mon 15 Feb  no common window"
    assert lines[2] == "  Tue 16 Feb  Tue 16 Feb 19:00–22:00 EST  =  Wed 17 Feb 09:00–12:00 JST  (3h)"


def test_overlap_with_chosen_people_as_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", str(config), "--with", "hazel,jetro", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc[0]["participants"] == ["hazel", "jetro"]
    days = {d["date"]: d["windows"] for d in doc[0]["days"]}
    assert days["2027-02-17"] == [
        {
            "start": "2027-02-18T00:00:00Z",
            "end": "2027-02-18T03:00:00Z",
            "local": {
                "America/Toronto": ["2027-02-17T19:00:00-05:00", "2027-02-17T22:00:00-05:00"],
                "Asia/Tokyo": ["2027-02-18T09:00:00+09:00", "2027-02-18T12:00:00+09:00"],
            },
        }
    ]
    assert days["2027-02-16"] == []


def test_overlap_unknown_participant_exits_2(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "overlap", str(config), "--with", "nobody")
    assert code == 2
    assert err.startswith("error: no delegate or counterpart 'nobody'")


@pytest.mark.parametrize(
    "argv",
    [
        ["find", "--meeting", "briefing", "--top", "0", "--json"],
        ["find", "--meeting", "friday", "--json"],
        ["overlap", "--json"],
        ["plan", "--json", "--time-limit", "5"],
    ],
    ids=["find", "find-none", "overlap", "plan"],
)
def test_a_mission_in_the_past_is_studied_like_one_in_the_future(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # February 2021 has the same calendar as February 2027 (Family Day Monday 15, the
    # Emperor's Birthday Tuesday 23, no clock change): the answers differ only in the year.
    # A command that looked at the clock would drop the past mission's times.
    answers = []
    for year in ("2027", "2021"):
        path = tmp_path / f"mission-{year}.toml"
        path.write_text(MISSION.replace("2027-", f"{year}-"), encoding="utf-8")
        code, out, _ = run(capsys, argv[0], str(path), *argv[1:])
        assert code == 0
        answers.append(json.loads(out))
    future, past = answers
    assert "2027-" in json.dumps(future)  # the answer has dates (slots, windows, reasons) to compare
    assert json.loads(json.dumps(past).replace("2021-", "2027-")) == future
    assert "2027-" not in json.dumps(past)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    # `scheduler find ... --top 0 --json | head -1`: the pipe closes while slots are being written
    # (about 600 slots, far more than a pipe holds).
    path = tmp_path / "mission.toml"
    many = '[[meetings]]\nid = "many"\ntitle = "Many"\ndelegates = ["brown"]\nduration = "15m"\n'
    path.write_text(MISSION + many, encoding="utf-8")
    argv = ["find", str(path), "--meeting", "many", "--top", "0", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = proc.stdout, proc.stderr
    assert out is not None
    assert err is not None
    assert out.readline() == b"{\n"
    out.close()
    message = err.read().decode()
    err.close()
    assert proc.wait(timeout=60) == 1
    assert message == ""
