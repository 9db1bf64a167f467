"""The mission report for council: PDF (read back with poppler's pdftotext), XLSX (openpyxl),
CSV (csv), from the overview page and from `scheduler report`. A rendered page is saved as
docs/mission-report.png (pdftoppm)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from scheduler.cli import main
from tests.web.conftest import ROOT, Web

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
WATANABE = "watanabe@jeita.example.jp"


def _book(web: Web, meeting_id: str) -> datetime:
    found = web.api("POST", "/find-times", json={"meeting_id": meeting_id}).json()
    start = found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]["dateTime"] + "+00:00"
    r = web.api("POST", f"/meetings/{meeting_id}/booking", json={"start": start})
    assert r.status_code in (200, 201), r.text
    return datetime.fromisoformat(start)


def _both_zones(start: datetime, minutes: int) -> list[str]:
    """What the report writes for a meeting at `start`: Toronto's time, then Tokyo's."""
    out = []
    for zone in ("America/Toronto", "Asia/Tokyo"):
        s, e = (
            start.astimezone(ZoneInfo(zone)),
            (start + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone)),
        )
        out.append(f"{s:%a %d %b %Y %H:%M}–{e:%H:%M} {e.tzname()}")
    return out


@pytest.fixture
def mission(web: Web) -> dict[str, object]:
    """A mission part-way through: one meeting held, one booked, one proposed, one cancelled,
    the rest not placed; action items open, done and dropped, with Japanese text."""
    held = _book(web, "jeita-meeting")
    booked = _book(web, "minato-meeting")
    _book(web, "canon-call")
    assert web.api("POST", "/meetings/canon-call/cancel").status_code == 200
    assert web.api("POST", "/meetings/ambassador-call/proposals").status_code == 201
    items = [
        {
            "text": "Send the sector study",
            "text_ja": "業界調査を送付する",
            "owner": WATANABE,
            "due_date": "2027-03-01",
        },
        {"text": "Introduce the incubator", "owner": "santos"},
        {"text": "Old idea", "owner": "santos"},
    ]
    ids = [web.api("POST", "/meetings/jeita-meeting/actions", json=i).json()["id"] for i in items]
    web.api("PATCH", f"/actions/{ids[1]}", json={"state": "done", "note": "Introduced on 20 Feb"})
    web.api("PATCH", f"/actions/{ids[2]}", json={"state": "dropped"})
    web.clock.at = held + timedelta(hours=3)  # the first is over: held
    titles = {m["id"]: m["title"] for m in web.api("GET", "/meetings").json()}
    durations = {m["id"]: m["definition"]["duration"] for m in web.api("GET", "/meetings").json()}
    return {"held": held, "booked": booked, "titles": titles, "durations": durations}


def _minutes(text: str) -> int:
    h = re.search(r"(\d+)h", text)
    m = re.search(r"(\d+)m", text)
    return (int(h.group(1)) * 60 if h else 0) + (int(m.group(1)) if m else 0)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@needs_poppler
def test_the_pdf_names_every_meeting_both_zones_times_and_the_japanese(
    web: Web, mission: dict[str, object], tmp_path: Path
) -> None:
    r = web.client.get(f"/missions/{web.mission_id}/report.pdf", headers=web.auth)
    assert (r.status_code, r.headers["content-type"]) == (200, "application/pdf")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    text = _flat(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
    )
    titles: dict[str, str] = mission["titles"]  # type: ignore[assignment]
    durations: dict[str, str] = mission["durations"]  # type: ignore[assignment]
    for title in titles.values():
        assert _flat(title) in text
    for key, mid in (("held", "jeita-meeting"), ("booked", "minato-meeting")):
        for shown in _both_zones(mission[key], _minutes(durations[mid])):  # type: ignore[arg-type]
            assert shown in text
    assert "業界調査を送付する" in text  # the Japanese text of an item
    assert "国際部 部長" in text  # the job title of JEITA's Watanabe Kenta, in Japanese
    assert "ジェトロ・トロント事務所" in text  # JETRO's contacts' titles
    for state in ("held", "booked", "proposed", "not placed", "cancelled"):
        assert state in text
    assert "Introduced on 20 Feb" in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ROOT / "docs" / "mission-report"),
        ],
        check=True,
    )
    assert (ROOT / "docs" / "mission-report.png").stat().st_size > 10_000


def test_the_xlsx_reads_back_with_every_meeting_and_item(web: Web, mission: dict[str, object]) -> None:
    r = web.client.get(f"/missions/{web.mission_id}/report.xlsx", headers=web.auth)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == ["Meetings", "Action items", "Organisations"]
    meetings = [list(row) for row in book["Meetings"].iter_rows(values_only=True)]
    head = meetings[0]
    assert head[:4] == ["Meeting", "State", "Time (Toronto)", "Time (Tokyo)"]
    titles: dict[str, str] = mission["titles"]  # type: ignore[assignment]
    assert sorted(row[0] for row in meetings[1:]) == sorted(titles.values())
    by_title = {row[0]: row for row in meetings[1:]}
    jeita = by_title[titles["jeita-meeting"]]
    assert jeita[1] == "held"
    durations: dict[str, str] = mission["durations"]  # type: ignore[assignment]
    assert jeita[2:4] == _both_zones(mission["held"], _minutes(durations["jeita-meeting"]))  # type: ignore[arg-type]
    assert "Watanabe Kenta (国際部 部長" in jeita[5]
    assert by_title[titles["canon-call"]][1] == "cancelled"
    assert by_title[titles["ambassador-call"]][1] == "proposed"
    items = [list(row) for row in book["Action items"].iter_rows(values_only=True)]
    assert [(row[0], row[2]) for row in items[1:]] == [
        ("open", "Send the sector study"),
        ("done", "Introduce the incubator"),
        ("dropped", "Old idea"),
    ]
    assert items[1][3] == "業界調査を送付する"
    orgs = [row[0] for row in book["Organisations"].iter_rows(values_only=True)][1:]
    assert sorted(orgs) == sorted(
        [
            "Japan Electronics and Information Technology Industries Association (JEITA)",
            "Minato Technology Corporation",
        ]
    )


def test_the_csv_reads_back_and_opens_as_utf8(web: Web, mission: dict[str, object]) -> None:
    r = web.client.get(f"/missions/{web.mission_id}/report.csv", headers=web.auth)
    assert r.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    titles: dict[str, str] = mission["titles"]  # type: ignore[assignment]
    assert len(rows) == 1 + len(titles)
    assert {len(row) for row in rows} == {len(rows[0])}
    jeita = next(row for row in rows if row[0] == titles["jeita-meeting"])
    assert jeita[1] == "held"
    assert "[open] Send the sector study" in jeita[-1]


def test_the_overview_links_the_report(web: Web) -> None:
    from tests.web.test_coordinator_pages import _log_in

    _log_in(web)
    page = web.client.get(f"/missions/{web.mission_id}").text
    for fmt in ("pdf", "xlsx", "csv"):
        assert f'href="/missions/{web.mission_id}/report.{fmt}"' in page
    assert web.client.get(f"/missions/{web.mission_id}/report.doc").status_code == 404


def test_the_report_needs_a_login(web: Web) -> None:
    r = web.client.get(f"/missions/{web.mission_id}/report.pdf", follow_redirects=False)
    assert r.status_code in (303, 401)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_scheduler_report_writes_each_format(
    web: Web, mission: dict[str, object], tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"r.{fmt}"
    url = str(web.store.engine.url)
    assert main(["report", str(web.mission_id), "--format", fmt, "--out", str(out), "--db", url]) == 0
    assert out.stat().st_size > 0
    assert "wrote the report" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["abc"], "not a mission id"),
        (["1", "--format", "doc"], "not one of pdf, csv, xlsx"),
        (["999"], "999"),
    ],
    ids=["not-a-number", "unknown-format", "unknown-mission"],
)
def test_scheduler_report_refuses_bad_input_in_one_line(
    web: Web, args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(web.store.engine.url)
    assert main(["report", *args, "--db", url, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert says in err
