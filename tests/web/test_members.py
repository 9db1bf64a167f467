"""Missions belong to people (issue 12): members with roles, what each role may do, who sees
what, and the audit trail of who changed what and when."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from scheduler.cli import main
from scheduler.services.accounts import add_user, issue_api_token
from tests.web.conftest import EMAIL, ROOT, Web
from tests.web.test_coordinator_pages import _csrf, _log_in
from tests.web.test_definitions_api import COUNTERPART, DELEGATE, MEETING


def _account(web: Web, email: str) -> dict[str, str]:
    user = add_user(web.services, email, "a long enough password")
    return {"Authorization": f"Bearer {issue_api_token(web.services, user.id, name='test')}"}


def _share(web: Web, email: str, role: str) -> Any:
    return web.client.put(
        f"/api/missions/{web.mission_id}/members", headers=web.auth, json={"email": email, "role": role}
    )


def _start(web: Web, meeting: str) -> str:
    found = web.api("POST", "/find-times", json={"meeting_id": meeting}).json()
    return str(found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]["dateTime"]) + "+00:00"


# --- who sees what ---------------------------------------------------------------------------------
def test_another_coordinator_neither_sees_nor_changes_the_mission(web: Web) -> None:
    other = _account(web, "other@example.org")
    assert web.client.get("/api/missions", headers=other).json() == []
    assert [m["id"] for m in web.client.get("/api/missions", headers=web.auth).json()] == [web.mission_id]
    base = f"/api/missions/{web.mission_id}"
    assert web.client.get(base, headers=other).status_code == 404
    assert web.client.patch(base, headers=other, json={"name": "Taken"}).status_code == 404
    assert web.client.get(f"{base}/export", headers=other).status_code == 404
    assert web.client.post(f"{base}/plan", headers=other, json={}).status_code == 404
    assert web.client.get(base, headers=web.auth).json()["name"] != "Taken"
    # A mission that does not exist and one that is not yours answer alike.
    assert web.client.get(base, headers=other).json() == web.client.get(
        "/api/missions/999", headers=other
    ).json() | {"detail": f"no mission with id {web.mission_id}"}


def test_the_pages_list_only_your_missions_and_hide_the_others(web: Web) -> None:
    _account(web, "other@example.org")
    page = web.client.get("/login")
    r = web.client.post(
        "/login",
        data={
            "csrf_token": _csrf(page.text),
            "email": "other@example.org",
            "password": "a long enough password",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert f"/missions/{web.mission_id}" not in web.client.get("/missions").text
    for path in ("", "/overlap", "/itinerary", "/attention", "/report.csv", "/meetings/jetro-briefing"):
        assert web.client.get(f"/missions/{web.mission_id}{path}").status_code == 404, path
    assert "JETRO" not in web.client.get("/organisations").text
    assert web.client.get("/organisations/jetro").status_code == 404


def test_a_viewer_reads_but_cannot_change(web: Web) -> None:
    viewer = _account(web, "viewer@example.org")
    assert _share(web, "viewer@example.org", "viewer").status_code == 200
    base = f"/api/missions/{web.mission_id}"
    assert web.client.get(base, headers=viewer).status_code == 200
    assert web.client.get(f"{base}/meetings/jetro-briefing", headers=viewer).status_code == 200
    assert web.client.patch(base, headers=viewer, json={"name": "Renamed"}).status_code == 403
    r = web.client.post(f"{base}/meetings/jetro-briefing/proposals", headers=viewer)
    assert (r.status_code, r.json()["detail"]) == (
        403,
        f"a viewer of mission {web.mission_id} may not do this",
    )
    assert web.client.delete(base, headers=viewer).status_code == 403


def test_an_editor_changes_the_mission_but_only_an_owner_manages_members(web: Web) -> None:
    editor = _account(web, "editor@example.org")
    _account(web, "third@example.org")
    assert _share(web, "editor@example.org", "editor").status_code == 200
    base = f"/api/missions/{web.mission_id}"
    assert web.client.patch(base, headers=editor, json={"name": "Edited"}).status_code == 200
    put = web.client.put(
        f"{base}/members", headers=editor, json={"email": "third@example.org", "role": "owner"}
    )
    assert put.status_code == 403
    assert web.client.delete(base, headers=editor).status_code == 403
    members = web.client.get(f"{base}/members", headers=editor).json()
    assert sorted((m["email"], m["role"]) for m in members) == [
        (EMAIL, "owner"),
        ("editor@example.org", "editor"),
    ]


def test_the_last_owner_stays(web: Web) -> None:
    r = web.client.put(
        f"/api/missions/{web.mission_id}/members", headers=web.auth, json={"email": EMAIL, "role": "viewer"}
    )
    assert r.status_code == 409


def test_whoever_creates_a_mission_owns_it(web: Web) -> None:
    other = _account(web, "creator@example.org")
    body = {
        "mission": {
            "name": "Osaka week",
            "timezone": "Asia/Tokyo",
            "start": "2027-03-01",
            "end": "2027-03-05",
            "organizer": {"name": "EDO", "email": "edo@brampton.example.org"},
        },
        "delegates": [DELEGATE],
        "counterparts": [COUNTERPART],
        "meetings": [{**MEETING, "counterparts": ["osaka-chamber"]}],
    }
    made = web.client.post("/api/missions", headers=other, json=body)
    assert made.status_code == 201, made.text
    new = made.json()["id"]
    members = web.client.get(f"/api/missions/{new}/members", headers=other).json()
    assert [(m["email"], m["role"]) for m in members] == [("creator@example.org", "owner")]
    assert web.client.get(f"/api/missions/{new}", headers=web.auth).status_code == 404


def test_the_owner_adds_a_member_on_the_mission_page(web: Web) -> None:
    add_user(web.services, "colleague@example.org", "a long enough password")
    _log_in(web)
    page = web.client.get(f"/missions/{web.mission_id}")
    assert 'id="members"' in page.text
    r = web.client.post(
        f"/missions/{web.mission_id}/members",
        data={"csrf_token": _csrf(page.text), "email": "colleague@example.org", "role": "viewer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert 'data-member="colleague@example.org"' in web.client.get(f"/missions/{web.mission_id}").text


def test_the_members_section_is_the_owners_alone(web: Web) -> None:
    add_user(web.services, "editor@example.org", "a long enough password")
    assert _share(web, "editor@example.org", "editor").status_code == 200
    page = web.client.get("/login")
    web.client.post(
        "/login",
        data={
            "csrf_token": _csrf(page.text),
            "email": "editor@example.org",
            "password": "a long enough password",
        },
    )
    page = web.client.get(f"/missions/{web.mission_id}")
    assert page.status_code == 200
    assert 'id="members"' not in page.text
    r = web.client.post(
        f"/missions/{web.mission_id}/members",
        data={"csrf_token": _csrf(page.text), "email": "editor@example.org", "role": "owner"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_user_add_with_a_mission_and_a_role_makes_a_member(web: Web, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = str(web.store.engine.url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code = main(
        [
            "user",
            "add",
            "cli@example.org",
            "--password-stdin",
            "--mission",
            str(web.mission_id),
            "--role",
            "editor",
            "--db",
            url,
        ]
    )
    assert code == 0
    members = web.client.get(f"/api/missions/{web.mission_id}/members", headers=web.auth).json()
    assert ("cli@example.org", "editor") in [(m["email"], m["role"]) for m in members]
    assert (
        main(["member", "add", str(web.mission_id), "cli@example.org", "--role", "viewer", "--db", url]) == 0
    )
    assert main(["member", "add", "999", "cli@example.org", "--role", "viewer", "--db", url]) == 2


# --- the audit trail -------------------------------------------------------------------------------
def test_changes_are_recorded_with_who_and_when_and_shown_on_the_meeting_page(web: Web) -> None:
    editor = _account(web, "editor@example.org")
    _share(web, "editor@example.org", "editor")
    base = f"/api/missions/{web.mission_id}"
    web.clock.at += timedelta(minutes=5)
    start = _start(web, "jeita-meeting")
    booked = web.client.post(f"{base}/meetings/jeita-meeting/booking", headers=editor, json={"start": start})
    assert booked.status_code == 201, booked.text
    web.clock.at += timedelta(minutes=5)
    assert (
        web.client.patch(
            f"{base}/meetings/jeita-meeting", headers=web.auth, json={"notes": "Bring samples"}
        ).status_code
        == 200
    )
    assert web.client.post(f"{base}/meetings/jeita-meeting/cancel", headers=editor).status_code == 200
    trail = web.client.get(f"{base}/audit?meeting=jeita-meeting", headers=web.auth).json()
    seen = [(e["actor"], e["action"], e["entity"]) for e in trail]
    assert ("editor@example.org", "created", "booking") in seen
    assert (EMAIL, "changed", "meeting") in seen
    cancel = [e for e in trail if e["entity"] == "booking" and e["action"] == "changed"]
    assert cancel[-1]["actor"] == "editor@example.org"
    assert "status: 'active' → 'cancelled'" in cancel[-1]["detail"]
    notes = next(e for e in trail if "notes" in e["detail"])
    assert notes["at"].startswith("2027-01-25T12:10")
    _log_in(web)
    page = web.client.get(f"/missions/{web.mission_id}/meetings/jeita-meeting").text
    history = page.split('id="history"', 1)[1]
    assert "editor@example.org" in history
    assert "Bring samples" in history
    # Membership changes are recorded on the mission's trail.
    whole = web.client.get(f"{base}/audit", headers=web.auth).json()
    assert ("member", "created") in [(e["entity"], e["action"]) for e in whole]


def test_a_refused_change_leaves_no_trace_in_the_trail(web: Web) -> None:
    base = f"/api/missions/{web.mission_id}"
    first = _start(web, "canon-call")
    assert web.api("POST", "/meetings/canon-call/booking", json={"start": first}).status_code == 201
    r = web.api("POST", "/find-times", json={"meeting_id": "muro-call", "max_candidates": 50})
    last = r.json()["meetingTimeSuggestions"][-1]["meetingTimeSlot"]["start"]["dateTime"] + "Z"
    assert web.api("POST", "/meetings/muro-call/booking", json={"start": last}).status_code == 201
    before = web.client.get(f"{base}/audit", headers=web.auth).json()
    # The edit is written and flushed (its audit rows with it) before the rule check refuses
    # it: the audit rows roll back with the change.
    r = web.api("PATCH", "/meetings/canon-call", json={"after": ["jetro-briefing", "muro-call"]})
    assert r.status_code == 409, r.text
    assert web.client.get(f"{base}/audit", headers=web.auth).json() == before
    assert web.api("PATCH", "/meetings/canon-call", json={"title": "Canon call"}).status_code == 200
    assert len(web.client.get(f"{base}/audit", headers=web.auth).json()) == len(before) + 1


def test_the_audit_trail_is_exported_with_the_mission_and_the_file_still_imports(
    web: Web, tmp_path: Path
) -> None:
    base = f"/api/missions/{web.mission_id}"
    web.client.patch(f"{base}/meetings/jeita-meeting", headers=web.auth, json={"notes": "Bring samples"})
    csv_text = web.client.get(f"{base}/audit?format=csv", headers=web.auth).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert any(r["actor"] == EMAIL and "notes" in r["detail"] for r in rows)
    url = str(web.store.engine.url)
    out, audit = tmp_path / "mission.toml", tmp_path / "audit.csv"
    assert main(["export", str(web.mission_id), "--out", str(out), "--audit", str(audit), "--db", url]) == 0
    with audit.open(encoding="utf-8") as fp:
        assert [r["detail"] for r in csv.DictReader(fp)] == [r["detail"] for r in rows]
    check = subprocess.run(
        [sys.executable, "-m", "scheduler", "check", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    db = f"sqlite:///{tmp_path / 'again.db'}"
    assert main(["import", str(out), "--db", db]) == 0


def test_the_trail_keeps_secrets_out(web: Web) -> None:
    proposal = web.api("POST", "/meetings/jetro-briefing/proposals").json()
    token = proposal["link"].rsplit("/", 1)[1]
    trail = web.client.get(f"/api/missions/{web.mission_id}/audit?format=csv", headers=web.auth).text
    assert "proposal" in trail
    assert token not in trail
    assert not re.search(r"[0-9a-f]{64}", trail)
