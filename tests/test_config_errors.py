"""Every mistake in the mission file is reported at its exact place, with a clear message, all at once."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scheduler.errors import ConfigError
from scheduler.mission.reader import parse_mission

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "tests" / "data" / "config" / "base.toml").read_text("utf-8")


def base() -> dict[str, Any]:
    return tomllib.loads(BASE)


def parse(data: dict[str, Any]) -> Any:
    return parse_mission(data, base_dir=ROOT, load_calendars=False)


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        parse(data)
    return [(p.path, p.message) for p in info.value.problems]


# --- every mistake at its place ------------------------------------------------------------
Edit = Callable[[dict[str, Any]], None]


def _set(*keys: object, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value

    return edit


def _drop(*keys: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]

    return edit


def _add_counterpart_named(pid: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["counterparts"].append({**data["counterparts"][0], "id": pid})

    return edit


def _add_meeting(**fields: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["meetings"].append({"title": "Extra", "delegates": ["brown"], "duration": "30m", **fields})

    return edit


CASES: list[tuple[str, Edit, str, str]] = [
    # id, edit, exact path, words the message must contain
    (
        "unknown zone",
        _set("delegates", 0, "timezone", value="Asia/Tokio"),
        "delegates[0] (brown).timezone",
        "unknown time zone 'Asia/Tokio' (did you mean 'Asia/Tokyo'?)",
    ),
    (
        "unknown holiday region",
        _set("counterparts", 0, "holidays", value="JX"),
        "counterparts[0] (jetro).holidays",
        "unknown holiday region 'JX'",
    ),
    (
        "holiday region not a string",
        _set("counterparts", 0, "holidays", value=81),
        "counterparts[0] (jetro).holidays",
        'expected a region code like "JP"',
    ),
    (
        "bad time",
        _set("delegates", 0, "hours", value={"mon-fri": "07:00-25:00"}),
        "delegates[0] (brown).hours.mon-fri",
        "'25:00' is not a time of day",
    ),
    (
        "range ends before it starts",
        _set("delegates", 0, "hours", value={"mon-fri": "18:00-09:00"}),
        "delegates[0] (brown).hours.mon-fri",
        "ends before it starts",
    ),
    (
        "not a range",
        _set("delegates", 0, "hours", value={"mon-fri": "all day"}),
        "delegates[0] (brown).hours.mon-fri",
        "'all day' is not a range like '09:00-18:00'",
    ),
    (
        "overlapping ranges",
        _set("delegates", 0, "hours", value={"mon-fri": "09:00-12:00, 11:00-14:00"}),
        "delegates[0] (brown).hours.mon-fri",
        "ranges overlap",
    ),
    (
        "day given twice",
        _set("delegates", 0, "hours", value={"mon-fri": "09:00-17:00", "fri": "09:00-12:00"}),
        "delegates[0] (brown).hours.fri",
        "fri is given twice",
    ),
    (
        "unknown weekday",
        _set("delegates", 0, "preferred", value={"mon-fry": "09:00-17:00"}),
        "delegates[0] (brown).preferred.mon-fry",
        "'mon-fry' is not a weekday or range like 'mon-fri'",
    ),
    (
        "hours not a table",
        _set("delegates", 0, "hours", value="mon-fri 09:00-17:00"),
        "delegates[0] (brown).hours",
        'expected a table like { mon-fri = "09:00-18:00" }',
    ),
    (
        "bad override date",
        _set("delegates", 0, "overrides", value={"2027-02-30": "off"}),
        "delegates[0] (brown).overrides.2027-02-30",
        "expected a date like 2027-02-15",
    ),
    (
        "bad override hours",
        _set("delegates", 0, "overrides", value={"2027-02-17": "closed"}),
        "delegates[0] (brown).overrides.2027-02-17",
        "'closed' is not a range",
    ),
    (
        "override outside the mission",
        _set("delegates", 0, "overrides", value={"2026-02-17": "off"}),
        "delegates[0] (brown).overrides.2026-02-17",
        "2026-02-17 is outside the mission (2027-02-15 to 2027-02-26)",
    ),
    (
        "bad duration",
        _set("meetings", 0, "duration", value="1 hour"),
        "meetings[0] (m1).duration",
        "'1 hour' is not a duration like '45m' or '1h30m'",
    ),
    (
        "zero duration",
        _set("meetings", 0, "duration", value="0m"),
        "meetings[0] (m1).duration",
        "must be longer than zero",
    ),
    (
        "duration longer than a day",
        _set("meetings", 0, "duration", value="25h"),
        "meetings[0] (m1).duration",
        "longer than a day",
    ),
    (
        "unknown delegate",
        _set("meetings", 0, "delegates", value=["bown"]),
        "meetings[0] (m1).delegates[0]",
        "unknown delegate 'bown' (did you mean 'brown'?)",
    ),
    (
        "unknown counterpart",
        _set("meetings", 0, "counterparts", value=["jetr"]),
        "meetings[0] (m1).counterparts[0]",
        "unknown counterpart 'jetr' (did you mean 'jetro'?)",
    ),
    (
        "unknown optional delegate",
        _set("meetings", 0, "optional", value=["mccallion"]),
        "meetings[0] (m1).optional[0]",
        "unknown delegate 'mccallion'",
    ),
    (
        "optional names a counterpart",
        _set("meetings", 1, "optional", value=["jetro"]),
        "meetings[1] (m2).optional[0]",
        "'jetro' is a counterpart (counterparts[0] (jetro)); `optional` names delegates only",
    ),
    (
        "delegates names a counterpart",
        _set("meetings", 0, "delegates", value=["jetro"]),
        "meetings[0] (m1).delegates[0]",
        "'jetro' is a counterpart (counterparts[0] (jetro)): list it under counterparts",
    ),
    (
        "counterparts names a delegate",
        _set("meetings", 0, "counterparts", value=["santos"]),
        "meetings[0] (m1).counterparts[0]",
        "'santos' is a delegate (delegates[1] (santos)): list it under delegates",
    ),
    (
        "optional also required",
        _set("meetings", 0, "optional", value=["brown"]),
        "meetings[0] (m1).optional[0]",
        "'brown' is already a required delegate of this meeting",
    ),
    (
        "id listed twice",
        _set("meetings", 0, "delegates", value=["brown", "santos", "brown"]),
        "meetings[0] (m1).delegates[2]",
        "'brown' is listed twice",
    ),
    (
        "unknown meeting in after",
        _set("meetings", 1, "after", value=["m3"]),
        "meetings[1] (m2).after[0]",
        "unknown meeting 'm3'",
    ),
    (
        "same id for a delegate and a counterpart",
        _add_counterpart_named("santos"),
        "counterparts[1] (santos).id",
        "'santos' is already the id of delegates[1] (santos)",
    ),
    (
        "same id for two meetings",
        _add_meeting(id="m1"),
        "meetings[2] (m1).id",
        "'m1' is already the id of meetings[0] (m1)",
    ),
    (
        "meeting with no delegate",
        _set("meetings", 0, "delegates", value=[]),
        "meetings[0] (m1).delegates",
        "a meeting needs at least one delegate",
    ),
    (
        "cycle in after",
        _set("meetings", 0, "after", value=["m2"]),
        "meetings[0] (m1).after",
        "cycle in `after`: m1 → m2 → m1",
    ),
    (
        "longer cycle in after",
        lambda d: (_add_meeting(id="m3", after=["m2"])(d), _set("meetings", 0, "after", value=["m3"])(d)),
        "meetings[0] (m1).after",
        "cycle in `after`: m1 → m3 → m2 → m1",
    ),
    (
        "meeting after itself",
        _set("meetings", 1, "after", value=["m2"]),
        "meetings[1] (m2).after",
        "cycle in `after`: m2 → m2",
    ),
    (
        "unknown resource",
        _set("meetings", 0, "resources", value=["interpeter"]),
        "meetings[0] (m1).resources[0]",
        "unknown resource 'interpeter' (did you mean 'interpreter'?)",
    ),
    (
        "zero capacity",
        _set("resources", "interpreter", value=0),
        "resources.interpreter",
        "expected a whole number of at least 1 (how many meetings may use it at once), got the number 0",
    ),
    (
        "negative capacity",
        _set("resources", "interpreter", value=-2),
        "resources.interpreter",
        "how many meetings may use it at once",
    ),
    (
        "not_before after not_after",
        lambda d: d["meetings"][0].update(not_before=date(2027, 2, 20), not_after=date(2027, 2, 18)),
        "meetings[0] (m1).not_after",
        "2027-02-18 is before not_before (2027-02-20)",
    ),
    (
        "date outside the mission",
        _set("meetings", 0, "not_before", value=date(2027, 3, 1)),
        "meetings[0] (m1).not_before",
        "2027-03-01 is outside the mission (2027-02-15 to 2027-02-26)",
    ),
    (
        "date-time where a date belongs",
        _set("meetings", 0, "not_after", value=datetime.fromisoformat("2027-02-20T09:00:00")),
        "meetings[0] (m1).not_after",
        "expected a date like 2027-02-15, got the date-time 2027-02-20T09:00:00",
    ),
    (
        "mission ends before it starts",
        _set("mission", "end", value=date(2027, 2, 1)),
        "mission.end",
        "the mission ends (2027-02-01) before it starts (2027-02-15)",
    ),
    (
        "bad step",
        _set("mission", "step", value="fifteen"),
        "mission.step",
        "'fifteen' is not a duration",
    ),
    (
        "step that does not divide a day",
        _set("mission", "step", value="7m"),
        "mission.step",
        "must divide a day evenly",
    ),
    (
        "bad buffer",
        _set("mission", "buffer", value=15),
        "mission.buffer",
        "expected a duration like '45m' or '1h30m', got 15",
    ),
    (
        "naive fixed start",
        _set("meetings", 0, "fixed", value={"start": tomllib.loads("t = 2027-02-16T01:00:00")["t"]}),
        "meetings[0] (m1).fixed.start",
        "2027-02-16T01:00:00 has no offset, so its instant is unknown: add Z for UTC or an offset",
    ),
    (
        "fixed start outside the mission",
        _set("meetings", 0, "fixed", value={"start": "2027-03-02T01:00:00Z"}),
        "meetings[0] (m1).fixed.start",
        "2027-03-02T01:00:00+00:00 is outside the mission",
    ),
    (
        "fixed given as a bare date-time",
        _set("meetings", 0, "fixed", value=datetime(2027, 2, 16, 1, 0, tzinfo=UTC)),
        "meetings[0] (m1).fixed",
        "expected a table, got the date-time",
    ),
    (
        "string where a list of ids belongs",
        _set("meetings", 0, "delegates", value="brown"),
        "meetings[0] (m1).delegates",
        "expected a list of delegate ids like [\"brown\"], got the string 'brown'",
    ),
    (
        "number where a string belongs",
        _set("meetings", 0, "title", value=7),
        "meetings[0] (m1).title",
        "expected a string, got the number 7",
    ),
    (
        "empty name",
        _set("delegates", 0, "name", value="  "),
        "delegates[0] (brown).name",
        "must not be empty",
    ),
    (
        "priority not a number",
        _set("meetings", 0, "priority", value="high"),
        "meetings[0] (m1).priority",
        "expected a whole number of at least 1, got the string 'high'",
    ),
    (
        "boolean max_per_day",
        _set("delegates", 0, "max_per_day", value=True),
        "delegates[0] (brown).max_per_day",
        "expected a whole number of at least 1, got the boolean true",
    ),
    (
        "zero max_per_day",
        _set("delegates", 0, "max_per_day", value=0),
        "delegates[0] (brown).max_per_day",
        "at least 1",
    ),
    (
        "delegates as one table",
        _set("delegates", value={"id": "brown"}),
        "delegates",
        "expected a list of tables ([[delegates]]), got a table",
    ),
    (
        "counterpart with no contact",
        _set("counterparts", 0, "contacts", value=[]),
        "counterparts[0] (jetro).contacts",
        "needs at least one contact",
    ),
    (
        "bad contact email",
        _set("counterparts", 0, "contacts", 0, "email", value="sato at jetro"),
        "counterparts[0] (jetro).contacts[0].email",
        "'sato at jetro' is not an email address",
    ),
    (
        "bad language",
        _set("counterparts", 0, "language", value="Japanese"),
        "counterparts[0] (jetro).language",
        "'Japanese' is not a language code like 'en' or 'ja'",
    ),
    (
        "bad video link",
        _set("meetings", 0, "video", value="meet.example.org/m1"),
        "meetings[0] (m1).video",
        "is not an http(s) URL",
    ),
    (
        "bad id",
        # the meeting names the malformed id too: that is one mistake, reported once
        lambda d: (
            _set("delegates", 0, "id", value="Patrick Brown")(d),
            _set("meetings", 0, "delegates", value=["Patrick Brown"])(d),
        ),
        "delegates[0] (Patrick Brown).id",
        "'Patrick Brown' is not an id",
    ),
    (
        "missing required key in a meeting",
        _drop("meetings", 0, "duration"),
        "meetings[0] (m1).duration",
        'required key is missing: give a duration like "60m"',
    ),
    (
        "missing required key in the mission",
        _drop("mission", "timezone"),
        "mission.timezone",
        "required key is missing",
    ),
    (
        "missing mission",
        _drop("mission"),
        "mission",
        "required key is missing",
    ),
    (
        "missing contact email",
        _drop("counterparts", 0, "contacts", 0, "email"),
        "counterparts[0] (jetro).contacts[0].email",
        "required key is missing",
    ),
    (
        "unknown key in a meeting",
        _set("meetings", 0, "durration", value="60m"),
        "meetings[0] (m1).durration",
        "unknown key 'durration' (did you mean 'duration'?)",
    ),
    (
        "unknown key in a delegate",
        _set("delegates", 0, "prefered", value={"mon": "09:00-10:00"}),
        "delegates[0] (brown).prefered",
        "unknown key 'prefered' (did you mean 'preferred'?)",
    ),
    (
        "unknown top-level table",
        _set("meeting", value=[]),
        "meeting",
        "unknown key 'meeting' (did you mean 'meetings'?)",
    ),
    (
        "unknown key far from any",
        _set("mission", "colour", value="blue"),
        "mission.colour",
        "unknown key 'colour' (allowed: name, timezone",
    ),
    (
        "unknown key in fixed",
        _set("meetings", 0, "fixed", value={"start": "2027-02-16T01:00:00Z", "ends": "x"}),
        "meetings[0] (m1).fixed.ends",
        "unknown key 'ends'",
    ),
    (
        "email on a counterpart",
        _set("counterparts", 0, "email", value="info@jetro.example.jp"),
        "counterparts[0] (jetro).email",
        "counterparts are reached through contacts",
    ),
]


@pytest.mark.parametrize(("edit", "path", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_at_its_place(edit: Edit, path: str, words: str) -> None:
    data = base()
    parse(data)  # the base is valid: the edit alone makes the mistake
    edit(data)
    found = problems_of(data)
    assert [p for p, _ in found] == [path], found
    assert words in found[0][1]


def test_every_problem_is_listed_at_once() -> None:
    data = base()
    data["mission"]["timezone"] = "America/Toronot"
    data["delegates"][0]["hours"] = {"mon-fri": "09:00-12:00, 11:00-13:00"}
    data["meetings"][0]["duration"] = "an hour"
    data["meetings"][1]["delegates"] = ["sants"]
    data["meetings"][1]["after"] = ["m2"]
    data["meetings"][0]["priorty"] = 3
    paths = [p for p, _ in problems_of(data)]
    assert paths == [
        "mission.timezone",
        "delegates[0] (brown).hours.mon-fri",
        "meetings[0] (m1).priorty",
        "meetings[0] (m1).duration",
        "meetings[1] (m2).delegates[0]",
        "meetings[1] (m2).after",
    ]
