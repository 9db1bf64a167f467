"""A mission file goes into the database and comes back out as the same mission, and as TOML."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.core.models import Contact, Mission
from scheduler.errors import Conflict
from scheduler.mission.reader import load_mission, parse_mission
from scheduler.mission.writer import dump_mission
from scheduler.services import Services, export_mission, import_mission, mission_ids
from scheduler.store import Store
from tests.builders import busy, counterpart, delegate, meeting, mission
from tests.store.sample import at, sample_mission

ROOT = Path(__file__).resolve().parents[2]


def tricky_mission() -> Mission:
    """Every field the file can carry, with text that could break a careless writer."""
    base = sample_mission()
    brown = replace(
        base.delegates[0],
        name='Patrick "Pat" Brown',
        role="Mayor; City of Brampton,\nOntario",
        preferred=delegate("x", hours={"mon-thu": "08:00-18:00", "fri": "09:00-12:00, 13:00-17:00"}).hours,
        overrides={date(2027, 2, 17): (), date(2027, 2, 18): ((1140, 1380),)},
        busy_sources=("calendars/brown.ics", "https://calendar.example.org/brown.ics?x=1&y=\\2"),
        holidays="CA-ON",
    )
    jetro = replace(
        base.counterparts[0],
        name="日本貿易振興機構 (JETRO)",
        holidays="JP",
        contacts=(
            Contact(name="佐藤 花子", email="sato@jetro.example.jp", language="ja", title="課長"),
            Contact(name="Tanaka\tTaro", email="tanaka@jetro.example.jp", language="en"),
        ),
        max_per_day=3,
    )
    first = replace(
        base.meetings[0],
        title='Briefing "Japan"; markets,\nnext steps 日本',
        optional=("mccallion",),
        priority=10,
        not_before=date(2027, 2, 16),
        not_after=date(2027, 2, 19),
        purpose="Why: \\ backslash \u007f and a bell \u0007",
        agenda=("Welcome", "市場の概要", "Q&A; close"),
        notes="Bring the deck",
        video_url="https://meet.example.org/x?a=1&b=2",
        duration=timedelta(hours=1, minutes=30),
    )
    fixed = replace(base.meetings[3], fixed_start=at(18, 0))
    return replace(
        base,
        name="Mission «Japan» 2027",
        delegates=(brown, *base.delegates[1:]),
        counterparts=(jetro, *base.counterparts[1:]),
        meetings=(first, base.meetings[1], base.meetings[2], fixed, *base.meetings[4:]),
        video_url="https://meet.example.org/mission",
        buffer=timedelta(0),
        step=timedelta(minutes=30),
    )


def test_the_sample_mission_file_survives_import_and_export(services: Services, tmp_path: Path) -> None:
    loaded = load_mission(ROOT / "config.toml")
    mid = import_mission(services, loaded, source=str(ROOT / "config.toml"))
    exported = export_mission(services, mid)
    assert exported == loaded
    # …and written as TOML next to the same calendars, it loads to the same mission again.
    (tmp_path / "calendars").symlink_to(ROOT / "calendars")
    (tmp_path / "out.toml").write_text(dump_mission(exported), encoding="utf-8")
    assert load_mission(tmp_path / "out.toml") == loaded


def test_every_field_and_awkward_text_round_trips_through_toml() -> None:
    original = tricky_mission()
    text = dump_mission(original)
    again = parse_mission(tomllib.loads(text), base_dir=ROOT, load_calendars=False)
    assert again == original


def test_every_field_round_trips_through_the_database(services: Services) -> None:
    original = replace(
        tricky_mission(),
        delegates=tuple(
            replace(d, busy=busy((at(16, 1), at(16, 2)), (at(17, 5), at(17, 6))))
            for d in tricky_mission().delegates
        ),
    )
    mid = import_mission(services, original)
    assert export_mission(services, mid) == original
    assert mission_ids(services) == [mid]


def test_a_fixed_meeting_of_the_file_is_imported_as_a_booking(services: Services, store: Store) -> None:
    mid = import_mission(services, tricky_mission())
    with store.unit_of_work(write=False) as uow:
        status = uow.meeting_statuses(mid)["santos-jetro"]
        claims = uow.claim_count(mid)
    assert status.state == "booked"
    assert status.booking is not None
    assert status.booking.start == at(18, 0)
    assert claims > 0


def test_fixed_meetings_that_collide_fail_the_import_and_store_nothing(services: Services) -> None:
    m = sample_mission()
    clash = replace(
        m,
        meetings=(
            replace(m.meetings[0], fixed_start=at(16, 0)),
            replace(m.meetings[1], fixed_start=at(16, 0, 30)),  # brown twice at once
            *m.meetings[2:],
        ),
    )
    with pytest.raises(Conflict):
        import_mission(services, clash)
    assert mission_ids(services) == []


def test_a_mission_with_no_buffer_and_builders_defaults_round_trips() -> None:
    plain = mission(
        delegates=[delegate("a")],
        counterparts=[counterpart("b")],
        meetings=[meeting("m", ["a"], ["b"], duration="45m")],
        buffer="0m",
    )
    assert parse_mission(tomllib.loads(dump_mission(plain)), base_dir=ROOT) == plain
