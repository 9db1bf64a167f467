"""`scheduler jobs`: lists what is due next and what ran; `--run-once` does the due work now."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, import_mission, propose
from scheduler.store import open_store
from tests.store.sample import NOW, at, sample_mission


@pytest.fixture
def booked(db_url: str) -> str:
    store = open_store(db_url)
    try:
        services = Services(uow=store.unit_of_work, clock=FixedClock(NOW))
        mission_id = import_mission(services, sample_mission())
        book_time(services, mission_id, "brown-jetro", at(16, 0))
    finally:
        store.close()
    return db_url


def test_jobs_lists_the_work_due_next(booked: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "--db", booked, "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "due next (2):" in out
    assert "2027-02-15 00:00 UTC  reminder 24h   m1 brown-jetro            brown@brampton.example.org" in out
    assert "ran lately (0):" in out


def test_jobs_run_once_does_the_due_work_and_lists_what_ran(
    booked: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEDULER_SMTP_HOST", raising=False)
    argv = ["jobs", "--db", booked, "--run-once", "--now", "2027-02-15T00:00:00+00:00"]
    argv += ["--maildir", str(tmp_path / "mail"), "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["run"]["done"], report["run"]["sent"]) == (2, 2)
    assert sorted(r["outcome"] for r in report["ran"]) == [
        "24h reminder to brown@brampton.example.org",
        "24h reminder to jetro@example.jp",
    ]
    assert len(list((tmp_path / "mail" / "new").iterdir())) == 2
    assert main(argv) == 0  # a second pass at the same time finds nothing left
    assert json.loads(capsys.readouterr().out)["run"]["done"] == 0


def test_jobs_refuses_a_time_without_an_offset(booked: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "--db", booked, "--now", "2027-02-15T00:00"]) == 2
    assert "--now" in capsys.readouterr().err


def test_jobs_shows_a_fresh_proposals_nudge_and_expiry_at_once(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    try:
        services = Services(uow=store.unit_of_work, clock=FixedClock(NOW))
        mission_id = import_mission(services, sample_mission())
        proposal = propose(services, mission_id, "brown-jcci").proposal
    finally:
        store.close()
    assert main(["jobs", "--db", db_url]) == 0
    out = capsys.readouterr().out
    nudge_at = (NOW + timedelta(days=3)).strftime("%Y-%m-%d %H:%M UTC")
    assert f"{nudge_at}  nudge          m1 brown-jcci             (the counterpart's contacts)" in out
    expiry_at = proposal.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    assert f"{expiry_at}  expiry         m1 brown-jcci             (the coordinator)" in out
