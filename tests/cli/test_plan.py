"""`scheduler plan`: the itinerary as text and as exactly the documented JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.cli.plan import progress_printer
from scheduler.core.planner import PlanProgress

SAMPLE = Path(__file__).resolve().parents[2] / "config.toml"

SMALL = """
[mission]
name = "Small mission"
timezone = "America/Toronto"
start = 2027-02-16
end = 2027-02-16
step = "15m"
buffer = "15m"
organizer = { name = "EDO", email = "edo@brampton.example.org" }

[resources]
interpreter = 1

[[delegates]]
id = "brown"
name = "Patrick Brown"
email = "mayor@brampton.example.org"
timezone = "America/Toronto"
holidays = "CA-ON"
hours = { mon-fri = "07:00-22:00" }

[[counterparts]]
id = "jetro"
name = "JETRO"
timezone = "Asia/Tokyo"
holidays = "JP"
hours = { mon-fri = "09:00-18:00" }
contacts = [{ name = "Sato Hanako", email = "sato@jetro.example.jp" }]

[[meetings]]
id = "briefing"
title = "Briefing"
delegates = ["brown"]
counterparts = ["jetro"]
duration = "2h"
priority = 5
resources = ["interpreter"]

[[meetings]]
id = "follow-up"
title = "Follow-up"
delegates = ["brown"]
counterparts = ["jetro"]
duration = "60m"
priority = 1
after = ["briefing"]
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_json_has_exactly_the_documented_shape(small, capsys):
    assert main(["plan", str(small), "--json", "--time-limit", "5"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert list(doc) == ["status", "meetings", "unscheduled", "objective"]
    assert doc["status"] == "optimal"
    (m,) = doc["meetings"]
    assert list(m) == ["id", "start", "end", "local", "resources"]
    # Toronto 19:00-22:00 is Tokyo 09:00-12:00; a 2-hour meeting centred in it starts at 19:30.
    assert (m["id"], m["start"], m["end"]) == ("briefing", "2027-02-17T00:30:00Z", "2027-02-17T02:30:00Z")
    assert m["local"] == {"brown": "2027-02-16T19:30:00-05:00", "jetro": "2027-02-17T09:30:00+09:00"}
    assert m["resources"] == ["interpreter"]
    (u,) = doc["unscheduled"]
    assert u["id"] == "follow-up"
    assert u["reasons"][0] == "needs brown and jetro"
    assert "briefing (brown, jetro, must end first)" in u["reasons"][1]
    assert doc["objective"]["priority"] == 5
    assert err == ""  # no progress line when stderr is not a terminal


def test_text_groups_the_itinerary_by_home_day_with_everyones_local_time(small, capsys):
    assert main(["plan", str(small), "--time-limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "Tuesday 16 February 2027 (America/Toronto)" in out
    assert "19:30-21:30 EST  briefing: Briefing  [interpreter]" in out
    assert "jetro  Wed 17 Feb 09:30 JST" in out
    assert "Not scheduled\n  follow-up: Follow-up\n    - needs brown and jetro" in out


def test_the_sample_mission_plans_every_meeting(capsys):
    assert main(["plan", str(SAMPLE), "--json", "--time-limit", "10"]) == 0
    doc = json.loads(capsys.readouterr().out)
    planned = {m["id"] for m in doc["meetings"]} | {u["id"] for u in doc["unscheduled"]}
    assert len(planned) == len(doc["meetings"]) + len(doc["unscheduled"])
    assert doc["status"] in {"optimal", "feasible"}
    assert all(m["start"].endswith("Z") for m in doc["meetings"])


def test_a_non_positive_time_limit_is_bad_input(small, capsys):
    assert main(["plan", str(small), "--time-limit", "0"]) == 2
    assert "--time-limit" in capsys.readouterr().err


def test_progress_rewrites_one_line():
    stream = io.StringIO()
    show = progress_printer(stream)
    show(PlanProgress(stage=1, solutions=2, objective=10.0, bound=12.0, elapsed=0.5))
    assert stream.getvalue() == (
        "\r\x1b[Ksolving (priority + comfort): 2 solutions, objective 10, bound 12, 0.5 s"
    )


def test_progress_of_the_later_stages_shows_the_count_being_minimised():
    stream = io.StringIO()
    progress_printer(stream)(PlanProgress(stage=2, solutions=5, objective=-11.0, bound=-0.0, elapsed=1.3))
    assert stream.getvalue().endswith("solving (spread over days): 5 solutions, objective 11, bound 0, 1.3 s")
