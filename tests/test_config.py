"""The mission file: the shipped sample loads, and every mistake is reported at its place, all at once."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scheduler.cli import main
from scheduler.core.availability import feasible_starts
from scheduler.core.hours import parse_ranges
from scheduler.errors import ConfigError
from scheduler.mission.reader import load_mission, parse_mission

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "config.toml"

# A small valid mission, written the way the file reads; each error test breaks one thing.
BASE = (ROOT / "tests" / "data" / "config" / "base.toml").read_text("utf-8")

BUSY_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:dinner@example.org\r\nDTSTAMP:20270101T000000Z\r\n"
    "DTSTART:20270217T000000Z\r\nDTEND:20270217T020000Z\r\nSUMMARY:Dinner\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def base() -> dict[str, Any]:
    return tomllib.loads(BASE)


def parse(data: dict[str, Any]) -> Any:
    return parse_mission(data, base_dir=ROOT, load_calendars=False)


def needs_busy_loader() -> None:
    # The real iCalendar adapter; until it lands, the tests that read calendars wait for it.
    pytest.importorskip("scheduler.ical.busy")


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- the shipped sample ------------------------------------------------------------------------
def test_sample_parses_into_the_brampton_mission() -> None:
    mission = parse_mission(tomllib.loads(SAMPLE.read_text("utf-8")), base_dir=ROOT, load_calendars=False)
    assert (mission.name, mission.timezone, mission.start, mission.end) == (
        "Brampton Virtual Mission to Japan",
        "America/Toronto",
        date(2027, 2, 15),
        date(2027, 2, 26),
    )
    assert dict(mission.resources) == {"interpreter": 1, "bridge": 2}
    assert {"brown", "santos", "mccallion"} <= {p.id for p in mission.delegates}
    brown = mission.participant("brown")
    assert brown.busy_sources == ("calendars/brown.ics",)
    assert brown.hours_on(date(2027, 2, 17)) == ()
    assert brown.hours_on(date(2027, 2, 18)) == parse_ranges("19:00-23:00")
    assert mission.meetings[0].id == "jetro-briefing"
    for source in {s for p in mission.participants for s in p.busy_sources}:
        assert (ROOT / source).is_file(), source


def test_every_sample_meeting_has_a_time_when_everyone_required_can_meet() -> None:
    # Calendars aside (they only remove time), every meeting of the sample must fit somewhere.
    mission = parse_mission(tomllib.loads(SAMPLE.read_text("utf-8")), base_dir=ROOT, load_calendars=False)
    empty = [m.id for m in mission.meetings if not feasible_starts(mission, m)]
    assert empty == []


def test_sample_calendars_are_crlf_icalendar() -> None:
    for path in sorted((ROOT / "calendars").glob("*.ics")):
        raw = path.read_bytes()
        assert raw.startswith(b"BEGIN:VCALENDAR\r\n"), path
        assert raw.count(b"\n") == raw.count(b"\r\n"), path


def test_sample_loads_with_its_busy_calendars() -> None:
    needs_busy_loader()
    mission = load_mission(SAMPLE)
    brown = mission.participant("brown")
    dinner = datetime(2027, 2, 26, 0, 0, tzinfo=UTC)  # Thu 25 Feb 19:00 Toronto, Board of Trade dinner
    staff_meeting_on_family_day = datetime(2027, 2, 15, 14, 0, tzinfo=UTC)  # removed by EXDATE
    assert brown.busy.contains_instant(dinner)
    assert not brown.busy.contains_instant(staff_meeting_on_family_day)


def test_check_accepts_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    needs_busy_loader()
    code, out, err = cli(["check", str(SAMPLE)], capsys)
    assert (code, err) == (0, "")
    assert "Brampton Virtual Mission to Japan" in out


# --- what the file maps to -----------------------------------------------------------------
def test_optional_fields_map_onto_the_models() -> None:
    data = base()
    data["mission"]["video"] = "https://meet.example.org/mission"
    data["delegates"][0] |= {
        "role": "Mayor",
        "language": "en",
        "holidays": "CA-ON",
        "preferred": {"mon-thu": "08:00-18:00"},
        "overrides": {"2027-02-17": "off", date(2027, 2, 18): "19:00-23:00"},
        "busy": ["calendars/brown.ics"],
        "max_per_day": 3,
    }
    data["counterparts"][0]["contacts"][0]["title"] = "所長"
    data["meetings"][0] |= {
        "purpose": "Why we meet",
        "agenda": ["One", "Two"],
        "notes": "Bring slides",
        "video": "https://meet.example.org/m1",
        "optional": ["santos"],
        "priority": 10,
        "resources": ["interpreter"],
        "not_before": date(2027, 2, 16),
        "not_after": "2027-02-19",
        "fixed": {"start": datetime.fromisoformat("2027-02-16T20:00:00-05:00")},
    }
    mission = parse(data)
    brown, jetro = mission.participant("brown"), mission.participant("jetro")
    m1 = mission.meeting("m1")
    assert mission.video_url == "https://meet.example.org/mission"
    assert (brown.role, brown.holidays, brown.max_per_day) == ("Mayor", "CA-ON", 3)
    assert dict(brown.overrides) == {date(2027, 2, 17): (), date(2027, 2, 18): ((1140, 1380),)}
    assert brown.preferred.on(date(2027, 2, 18)) == ((480, 1080),)
    assert brown.busy_sources == ("calendars/brown.ics",)
    assert jetro.contacts[0].title == "所長"
    assert jetro.contacts[0].language == "ja"  # a contact speaks the organisation's language by default
    assert (m1.purpose, m1.agenda, m1.notes, m1.video_url) == (
        "Why we meet",
        ("One", "Two"),
        "Bring slides",
        "https://meet.example.org/m1",
    )
    assert (m1.optional, m1.priority, m1.resources) == (("santos",), 10, ("interpreter",))
    assert (m1.not_before, m1.not_after) == (date(2027, 2, 16), date(2027, 2, 19))
    assert m1.fixed_start == datetime(2027, 2, 17, 1, 0, tzinfo=UTC)
    assert m1.fixed_start.tzinfo is UTC


def test_defaults_apply_when_optional_keys_are_left_out() -> None:
    data = base()
    del data["mission"]["step"], data["mission"]["buffer"]
    mission = parse(data)
    m2 = mission.meeting("m2")
    assert (mission.step, mission.buffer) == (timedelta(minutes=15), timedelta(minutes=15))
    assert (m2.priority, m2.optional, m2.resources, m2.fixed_start) == (1, (), (), None)
    assert mission.participant("brown").language == "en"


def test_zero_buffer_is_allowed() -> None:
    data = base()
    data["mission"]["buffer"] = "0m"
    assert parse(data).buffer == timedelta(0)


def test_a_problem_reads_as_path_then_message() -> None:
    data = base()
    data["meetings"][0]["duration"] = "1 hour"
    with pytest.raises(ConfigError) as info:
        parse(data)
    assert str(info.value.problems[0]).startswith("meetings[0] (m1).duration: '1 hour' is not a duration")


def test_json_shaped_input_with_string_dates_is_accepted() -> None:
    # The web API passes JSON, where dates and date-times are strings.
    data = base()
    data["mission"] |= {"start": "2027-02-15", "end": "2027-02-26"}
    data["meetings"][0]["fixed"] = {"start": "2027-02-16T01:00:00Z"}
    mission = parse(data)
    assert mission.start == date(2027, 2, 15)
    assert mission.meeting("m1").fixed_start == datetime(2027, 2, 16, 1, 0, tzinfo=UTC)


# --- files ---------------------------------------------------------------------------------
def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as info:
        load_mission(missing)
    (problem,) = info.value.problems
    assert problem.path == str(missing)
    assert "cannot read the mission file" in problem.message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mission]\nname = "x"\nstart = 2027-02-15\nend = 2027-02-26 extra\n', "utf-8")
    with pytest.raises(ConfigError) as info:
        load_mission(path)
    (problem,) = info.value.problems
    assert problem.path == f"{path}, line 4"
    assert problem.message.startswith("invalid TOML")


def test_an_unclosed_list_is_reported_at_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mission]\nname = "x"\nbusy = [\n', "utf-8")
    with pytest.raises(ConfigError) as info:
        load_mission(path)
    assert info.value.problems[0].path == f"{path}, line 3"


def test_calendars_are_read_relative_to_the_mission_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_busy_loader()
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "brown.ics").write_bytes(BUSY_ICS.encode())
    text = BASE.replace(
        'hours = { mon-fri = "07:00-22:00" }', 'hours = { mon-fri = "07:00-22:00" }\nbusy = ["cal/brown.ics"]'
    )
    (tmp_path / "config.toml").write_text(text, "utf-8")
    monkeypatch.chdir(ROOT)  # somewhere else: the path must not depend on the working directory
    mission = load_mission(tmp_path / "config.toml")
    brown = mission.participant("brown")
    assert brown.busy_sources == ("cal/brown.ics",)
    assert brown.busy.contains_instant(datetime(2027, 2, 17, 1, 0, tzinfo=UTC))


def test_an_unreadable_calendar_is_reported_at_its_busy_entry(tmp_path: Path) -> None:
    needs_busy_loader()
    (tmp_path / "broken.ics").write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:yesterday\r\n")
    text = BASE.replace(
        'hours = { mon-fri = "07:00-22:00" }',
        'hours = { mon-fri = "07:00-22:00" }\nbusy = ["missing.ics", "broken.ics"]',
    )
    (tmp_path / "config.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:  # strict: the broken event refuses the calendar
        load_mission(tmp_path / "config.toml", strict_calendars=True)
    found = [(p.path, p.message) for p in info.value.problems]
    assert [p for p, _ in found] == ["delegates[0] (brown).busy[0]", "delegates[0] (brown).busy[1]"]
    assert "missing.ics" in found[0][1]
    assert "broken.ics" in found[1][1]


@pytest.mark.parametrize(
    ("broken", "by"),
    [
        (('timezone = "America/Toronto"', 'timezone = "America/Toronot"'), "mission.timezone"),
        (("start = 2027-02-15", 'start = "soon"'), "mission.start"),
    ],
    ids=["unknown-home-zone", "unreadable-dates"],
)
def test_an_unreadable_calendar_is_listed_even_when_the_mission_head_is_broken(
    tmp_path: Path, broken: tuple[str, str], by: str
) -> None:
    # All errors at once: a broken [mission] must not hide a calendar that cannot be read.
    needs_busy_loader()
    old, new = broken
    assert old in BASE
    text = BASE.replace(old, new, 1).replace(
        'hours = { mon-fri = "07:00-22:00" }',
        'hours = { mon-fri = "07:00-22:00" }\nbusy = ["missing.ics"]',
    )
    (tmp_path / "config.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_mission(tmp_path / "config.toml")
    paths = [p.path for p in info.value.problems]
    assert paths == [by, "delegates[0] (brown).busy[0]"]


def test_calendars_are_not_read_when_not_asked(tmp_path: Path) -> None:
    data = base()
    data["delegates"][0]["busy"] = ["does-not-exist.ics"]
    mission = parse_mission(data, base_dir=tmp_path, load_calendars=False)
    assert mission.participant("brown").busy_sources == ("does-not-exist.ics",)
    assert not mission.participant("brown").busy


# --- scheduler check ------------------------------------------------------------------------
def test_check_prints_a_summary_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BASE, "utf-8")
    code, out, err = cli(["check", str(path)], capsys)
    assert (code, err) == (0, "")
    assert "Test mission" in out
    assert "2 delegates, 1 counterparts" in out
    assert "meetings   2" in out
    assert "Mon 15 Feb 2027 to Fri 26 Feb 2027 (America/Toronto), step 15m, buffer 15m" in out


def test_check_lists_every_problem_on_stderr_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        BASE.replace('duration = "60m"', 'duration = "1 hour"').replace('"Asia/Tokyo"', '"Asia/Tokio"')
    )
    code, out, err = cli(["check", str(path)], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: counterparts[0] (jetro).timezone: unknown time zone 'Asia/Tokio'"
        " (did you mean 'Asia/Tokyo'?)",
        "error: meetings[0] (m1).duration: '1 hour' is not a duration like '45m' or '1h30m'",
    ]


def test_check_of_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["check", str(tmp_path / "none.toml")], capsys)
    assert code == 2
    assert "cannot read the mission file" in err


def test_python_m_scheduler_check_uses_exit_codes(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(BASE, "utf-8")
    bad.write_text(BASE.replace('after = ["m1"]', 'after = ["m2"]'), "utf-8")
    run = [sys.executable, "-m", "scheduler", "check"]
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True, cwd=ROOT, check=False)
    failed = subprocess.run([*run, str(bad)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert (ok.returncode, failed.returncode) == (0, 2)
    assert "cycle in `after`: m2 → m2" in failed.stderr


def test_a_whole_mission_planner_fits_every_meeting_of_the_sample() -> None:
    # The sample is meant to be realistic and feasible: one interpreter, the Mayor at most 3 a
    # day, Toronto evenings for Tokyo. A greedy planner leaves some out; the real one must not.
    needs_busy_loader()
    from scheduler.core.planner import plan_mission

    mission = load_mission(SAMPLE)
    plan = plan_mission(mission, time_limit=20)
    assert [u.meeting_id for u in plan.unscheduled] == []
    assert sorted(m.meeting_id for m in plan.meetings) == sorted(m.id for m in mission.meetings)
