"""Access: every coordinator route needs a login; pages redirect to it; forms need their CSRF token."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.services.accounts import hash_password, verify_password
from tests.web.conftest import EMAIL, PASSWORD, Web, build_web


def _api_routes(web: Web) -> list[tuple[str, str]]:
    out = []
    for path, ops in web.app.openapi()["paths"].items():
        concrete = (
            path.replace("{mission_id}", str(web.mission_id))
            .replace("{pid}", "jetro")
            .replace("{meeting_id}", "jetro-briefing")
            .replace("{name}", "bridge")
            .replace("{index}", "0")
            .replace("{proposal_id}", "1")
        )
        out += [(method.upper(), concrete) for method in ops if path != "/api/auth/token"]
    return out


def test_every_api_route_refuses_a_request_without_a_login(web: Web) -> None:
    routes = _api_routes(web)
    assert len(routes) >= 40
    answers = {(m, p): web.client.request(m, p, json={}).status_code for m, p in routes}
    assert {k: v for k, v in answers.items() if v != 401} == {}


def test_a_wrong_bearer_token_is_refused(web: Web) -> None:
    r = web.client.get("/api/missions", headers={"Authorization": "Bearer not-a-token"})
    assert (r.status_code, r.headers["www-authenticate"]) == (401, "Bearer")


def test_the_bearer_token_opens_the_api(web: Web) -> None:
    r = web.client.get("/api/me", headers=web.auth)
    assert (r.status_code, r.json()["email"]) == (200, EMAIL)


def test_email_and_password_give_a_new_api_token(web: Web) -> None:
    r = web.client.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 201
    me = web.client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["email"] == EMAIL


def test_a_wrong_password_gets_no_token(web: Web) -> None:
    r = web.client.post("/api/auth/token", json={"email": EMAIL, "password": "wrong password"})
    assert r.status_code == 401


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_login_page_sets_a_session_cookie_that_opens_the_api(web: Web) -> None:
    page = web.client.get("/login?next=/docs")
    r = web.client.post(
        "/login",
        data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": PASSWORD, "next": "/docs"},
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, "/docs")
    assert web.client.get("/api/me").json()["email"] == EMAIL
    assert "coordinator@example.org" in web.client.get("/login").text


def test_a_cookie_session_cannot_change_data_without_the_csrf_header(web: Web) -> None:
    page = web.client.get("/login")
    token = _csrf(page.text)
    web.client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    refused = web.client.post(
        f"/api/missions/{web.mission_id}/resources", json={"name": "room", "capacity": 1}
    )
    allowed = web.client.post(
        f"/api/missions/{web.mission_id}/resources",
        json={"name": "room", "capacity": 1},
        headers={"X-CSRF-Token": token},
    )
    assert (refused.status_code, allowed.status_code) == (403, 201)


def test_login_with_a_wrong_password_says_so(web: Web) -> None:
    page = web.client.get("/login")
    r = web.client.post("/login", data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": "nope"})
    assert r.status_code == 401
    assert "Wrong email or password" in r.text
    assert web.client.get("/api/me").status_code == 401


def test_login_never_redirects_off_the_site(web: Web) -> None:
    page = web.client.get("/login")
    r = web.client.post(
        "/login",
        data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": PASSWORD, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login"


def test_a_form_without_its_csrf_token_is_refused(web: Web) -> None:
    web.client.get("/login")
    r = web.client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 403
    assert web.client.get("/api/me").status_code == 401


def test_a_csrf_token_from_another_browser_is_refused(web: Web) -> None:
    token = _csrf(web.client.get("/login").text)
    web.client.cookies.clear()
    web.client.get("/login")  # a new cookie
    r = web.client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert r.status_code == 403


def test_logout_ends_the_session(web: Web) -> None:
    token = _csrf(web.client.get("/login").text)
    web.client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    web.client.post("/logout", data={"csrf_token": token})
    assert web.client.get("/api/me").status_code == 401


def test_a_forged_session_cookie_is_refused(web: Web) -> None:
    web.client.cookies.set("scheduler_session", "1.99999999999.deadbeef")
    assert web.client.get("/api/me").status_code == 401


def test_passwords_are_stored_as_salted_scrypt_hashes() -> None:
    a, b = hash_password("same password"), hash_password("same password")
    assert a.startswith("scrypt$")
    assert a != b
    assert (verify_password("same password", a), verify_password("other", a)) == (True, False)


def _user_add(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    stdin: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["user", "add", *args, "--password-stdin", "--db", f"sqlite:///{tmp_path}/cli.db"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_add_creates_an_account_and_prints_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _user_add(
        tmp_path, monkeypatch, capsys, "Ada@Example.org", "--token", stdin="a long password\n"
    )
    assert (code, out.splitlines()[0]) == (0, "created account ada@example.org")
    token = re.search(r"API token \(shown once\): (\S{40,})", out)
    assert token is not None
    w = build_web(f"sqlite:///{tmp_path}/cli.db", mission=False)
    try:
        me = w.client.get("/api/me", headers={"Authorization": f"Bearer {token.group(1)}"})
        assert me.json()["email"] == "ada@example.org"
    finally:
        w.client.close()
        w.store.close()


def test_user_add_refuses_a_short_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _user_add(tmp_path, monkeypatch, capsys, "ada@example.org", stdin="short\n")
    assert (code, err.strip()) == (2, "error: password: a password needs at least 8 characters")
