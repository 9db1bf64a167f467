"""Accounts that resist guessing (issue 12): throttled logins, server-side sessions, named
tokens that expire and can be revoked, Secure cookies behind https. The clock is frozen and
moved by the tests; everything else is the real app over a real SQLite file."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from scheduler.services.accounts import change_password
from scheduler.services.logins import ACCOUNT_RULE
from tests.web.conftest import EMAIL, PASSWORD, Web, build_web


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _page_login(web: Web, password: str = PASSWORD) -> int:
    page = web.client.get("/login")
    r = web.client.post(
        "/login",
        data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": password, "next": "/missions"},
        follow_redirects=False,
    )
    return r.status_code


def _token_login(web: Web, password: str = PASSWORD) -> int:
    return web.client.post("/api/auth/token", json={"email": EMAIL, "password": password}).status_code


# --- throttling ------------------------------------------------------------------------------------
@pytest.mark.parametrize("attempt", [_page_login, _token_login], ids=["login page", "token exchange"])
def test_wrong_passwords_slow_down_then_lock_and_the_lock_refuses_the_right_password(
    web: Web, attempt
) -> None:  # type: ignore[no-untyped-def]
    answers = [attempt(web, "wrong password") for _ in range(ACCOUNT_RULE.free)]
    assert answers == [401] * ACCOUNT_RULE.free
    # The next attempt comes too soon: refused unchecked, with how long to wait.
    r = web.client.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert (r.status_code, r.headers["retry-after"]) == (429, "1")
    # Waiting as told lets one more guess through each time, until the lock.
    for _ in range(ACCOUNT_RULE.lock_after - ACCOUNT_RULE.free):
        web.clock.at += ACCOUNT_RULE.max_delay
        assert attempt(web, "wrong password") == 401
    web.clock.at += ACCOUNT_RULE.max_delay
    assert attempt(web, PASSWORD) == 429  # locked: the right password does not open it
    web.clock.at += ACCOUNT_RULE.lock_for
    assert attempt(web, PASSWORD) in (201, 303)


def test_the_throttle_page_answers_429_with_retry_after(web: Web) -> None:
    for _ in range(ACCOUNT_RULE.free):
        _page_login(web, "wrong password")
    page = web.client.get("/login")
    r = web.client.post(
        "/login",
        data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": "x" * 12},
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["retry-after"]) == (429, "1")
    assert "Too many failed logins" in r.text


def test_a_right_password_starts_the_account_afresh(web: Web) -> None:
    for _ in range(ACCOUNT_RULE.free - 1):
        assert _token_login(web, "wrong password") == 401
    assert _token_login(web) == 201
    assert [_token_login(web, "wrong password") for _ in range(ACCOUNT_RULE.free)] == [
        401
    ] * ACCOUNT_RULE.free


def test_guessing_an_unknown_account_is_throttled_the_same_way(web: Web) -> None:
    body = {"email": "nobody@example.org", "password": "wrong password"}
    answers = [
        web.client.post("/api/auth/token", json=body).status_code for _ in range(ACCOUNT_RULE.free + 1)
    ]
    assert answers == [401] * ACCOUNT_RULE.free + [429]


# --- sessions --------------------------------------------------------------------------------------
def test_logout_ends_the_session_on_the_server(web: Web) -> None:
    assert _page_login(web) == 303
    cookie = web.client.cookies.get("scheduler_session")
    assert cookie
    assert web.client.get("/api/me").status_code == 200
    page = web.client.get("/login")
    assert (
        web.client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False).status_code
        == 303
    )
    # The old cookie, sent again as a thief would, opens nothing.
    web.client.cookies.set("scheduler_session", cookie)
    assert web.client.get("/api/me").status_code == 401
    assert web.client.get("/missions", follow_redirects=False).status_code == 303


def test_a_password_change_ends_every_session(web: Web) -> None:
    assert _page_login(web) == 303
    assert web.client.get("/api/me").status_code == 200
    ended = change_password(web.services, web.user_id, "a brand new password")
    assert ended == 1
    assert web.client.get("/api/me").status_code == 401


def test_a_session_ends_after_its_idle_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    web = build_web(f"sqlite:///{tmp_path / 'idle.db'}")
    web.app.state.settings = type(web.app.state.settings)(
        database_url=None, secret_key="s", base_url="http://testserver", session_idle_minutes=30
    )
    try:
        assert _page_login(web) == 303
        web.clock.at += timedelta(minutes=29)
        assert web.client.get("/api/me").status_code == 200  # use resets the idle time
        web.clock.at += timedelta(minutes=29)
        assert web.client.get("/api/me").status_code == 200
        web.clock.at += timedelta(minutes=30)
        assert web.client.get("/api/me").status_code == 401
    finally:
        web.client.close()
        web.store.close()


def test_a_session_ends_at_its_absolute_end_however_busy(web: Web) -> None:
    assert _page_login(web) == 303
    for _ in range(11):
        web.clock.at += timedelta(hours=1)
        assert web.client.get("/api/me").status_code == 200
    web.clock.at += timedelta(hours=1)  # 12 hours after the login
    assert web.client.get("/api/me").status_code == 401


def test_sessions_are_stored_as_hashes_only(web: Web) -> None:
    assert _page_login(web) == 303
    cookie = web.client.cookies.get("scheduler_session")
    with web.store.engine.connect() as conn:
        stored = conn.execute(text("SELECT id_hash FROM sessions")).scalars().all()
    assert len(stored) == 1
    assert cookie not in stored[0]


# --- API tokens ------------------------------------------------------------------------------------
def test_tokens_are_named_listed_expire_and_are_revoked(web: Web) -> None:
    made = web.client.post("/api/tokens", headers=web.auth, json={"name": "ci", "days": 7})
    assert made.status_code == 201
    ci = {"Authorization": f"Bearer {made.json()['token']}"}
    assert web.client.get("/api/me", headers=ci).status_code == 200
    listed = web.client.get("/api/tokens", headers=web.auth).json()
    assert [(t["name"], t["live"]) for t in listed][-1] == ("ci", True)
    assert "token" not in listed[-1]
    web.clock.at += timedelta(days=7)
    assert web.client.get("/api/me", headers=ci).status_code == 401  # expired
    web.clock.at -= timedelta(days=7)
    assert web.client.delete(f"/api/tokens/{listed[-1]['id']}", headers=web.auth).status_code == 204
    assert web.client.get("/api/me", headers=ci).status_code == 401  # revoked
    assert web.client.get("/api/tokens", headers=web.auth).json()[-1]["revoked_at"] is not None


def test_the_first_token_expires_too(web: Web) -> None:
    web.clock.at += timedelta(days=90)
    assert web.client.get("/api/me", headers=web.auth).status_code == 401


def test_nobody_revokes_someone_elses_token(web: Web) -> None:
    from scheduler.services.accounts import add_user, issue_api_token

    other = add_user(web.services, "other@example.org", "another long password")
    theirs = {"Authorization": f"Bearer {issue_api_token(web.services, other.id, name='x')}"}
    mine = web.client.get("/api/tokens", headers=web.auth).json()[0]["id"]
    assert web.client.delete(f"/api/tokens/{mine}", headers=theirs).status_code == 404
    assert web.client.get("/api/me", headers=web.auth).status_code == 200


def test_a_token_that_never_ends_is_refused(web: Web) -> None:
    r = web.client.post("/api/tokens", headers=web.auth, json={"name": "forever", "days": 100000})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "days"


# --- Secure cookies --------------------------------------------------------------------------------
def test_cookies_are_secure_when_the_base_url_is_https(tmp_path) -> None:  # type: ignore[no-untyped-def]
    web = build_web(f"sqlite:///{tmp_path / 'https.db'}", base_url="https://mission.example.org")
    try:
        page = web.client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        r = web.client.post(
            "/login",
            data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": PASSWORD},
            follow_redirects=False,
        )
        session = [c for c in r.headers.get_list("set-cookie") if c.startswith("scheduler_session=")]
        assert len(session) == 1
        assert "; secure" in session[0].lower()
        assert "httponly" in session[0].lower()
    finally:
        web.client.close()
        web.store.close()


def test_cookies_are_not_secure_over_plain_http(web: Web) -> None:
    assert "secure" not in web.client.get("/login").headers["set-cookie"].lower()
