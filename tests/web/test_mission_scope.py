"""Every route that names a mission (or a meeting) answers 404 to a coordinator who is not a
member of it. The routes are walked from the app itself, so a route added later without the
members' check (`web.access.MISSION_SCOPE`) fails here."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.routing import iter_route_contexts

from scheduler.services.accounts import add_user, issue_api_token
from scheduler.web.access import MISSION_SCOPE
from scheduler.web.deps import UserDep
from tests.web.conftest import Web

SAMPLE_VALUES = {
    "meeting_id": "jetro-briefing",
    "pid": "jetro",
    "participant_id": "brown",
    "name": "bridge",
    "index": "0",
    "proposal_id": "1",
    "item_id": "1",
    "user_id": "1",
    "fmt": "html",
    "key": "x",
    "endpoint_id": "1",
    "webhook_id": "msg_x",
}
# Routes that name a mission but are opened by a secret of their own, not a login: a wrong
# key is a 404 for everyone (checked below too).
BY_KEY = {"/feeds/{mission_id}/{participant_id}/{key}.ics"}


def _scoped_routes(web: Web) -> list[tuple[str, str]]:
    out = []
    for route in iter_route_contexts(web.app.routes):
        path = route.path or ""
        if "{mission_id}" in path or "{meeting_id}" in path:
            out += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return out


def _concrete(path: str, mission_id: int) -> str:
    path = path.replace("{mission_id}", str(mission_id))
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_VALUES[m.group(1)], path)


def _stranger(web: Web) -> dict[str, str]:
    user = add_user(web.services, "stranger@example.org", "a stranger's password")
    return {"Authorization": f"Bearer {issue_api_token(web.services, user.id, name='stranger')}"}


def test_every_mission_route_answers_404_to_a_coordinator_who_is_not_a_member(web: Web) -> None:
    routes = _scoped_routes(web)
    assert len(routes) >= 60  # the API and the pages, not a handful
    headers = _stranger(web)
    # Pages' forms need the CSRF pair: give it, so that the members' check is what answers.
    web.client.get("/login")
    csrf = web.app.state.signer.csrf_token(web.client.cookies.get("scheduler_csrf"))
    headers["X-CSRF-Token"] = csrf
    answers = {}
    for method, path in routes:
        url = _concrete(path, web.mission_id)
        # A well-formed body where the route has no {mission_id}: it finds the mission itself,
        # after the body is read, and must still not find one the caller may not see.
        body = {"text": "peek"} if "{mission_id}" not in path else {}
        kwargs = {"json": body} if path.startswith("/api") else {"data": {"csrf_token": csrf}}
        if method == "GET":
            kwargs = {}
        r = web.client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
        answers[(method, path)] = r.status_code
    assert {k: v for k, v in answers.items() if v != 404} == {}
    # And the owner gets through the same routes (the 404s above are not for a wrong URL).
    owner = web.client.get(
        _concrete("/api/missions/{mission_id}/meetings/{meeting_id}", web.mission_id), headers=web.auth
    )
    assert owner.status_code == 200


def test_the_walk_sees_a_route_added_without_the_check(web: Web) -> None:
    """A route mounted outside the guarded routers is found by the walk and lets a stranger in."""
    rogue = APIRouter()

    @rogue.get("/api/rogue/{mission_id}")
    def peek(mission_id: int, user: UserDep) -> dict[str, int]:
        return {"mission": mission_id}

    web.app.include_router(rogue)
    try:
        assert ("GET", "/api/rogue/{mission_id}") in _scoped_routes(web)
        r = web.client.get(f"/api/rogue/{web.mission_id}", headers=_stranger(web))
        assert r.status_code == 200  # what the walk above would report as a leak
    finally:
        web.app.router.routes.pop()
    assert ("GET", "/api/rogue/{mission_id}") not in _scoped_routes(web)  # the shared app is clean again


def test_a_route_opts_in_with_one_line(web: Web) -> None:
    added = APIRouter(dependencies=[MISSION_SCOPE])

    @added.get("/api/added/{mission_id}")
    def peek(mission_id: int) -> dict[str, int]:
        return {"mission": mission_id}

    web.app.include_router(added)
    try:
        assert web.client.get(f"/api/added/{web.mission_id}", headers=_stranger(web)).status_code == 404
        assert web.client.get(f"/api/added/{web.mission_id}", headers=web.auth).status_code == 200
    finally:
        web.app.router.routes.pop()


def test_feeds_stay_open_to_their_key_alone(web: Web) -> None:
    from scheduler.web.pages.coordinator_common import feed_key

    key = feed_key(web.app.state.signer, web.mission_id, "brown")
    assert web.client.get(f"/feeds/{web.mission_id}/brown/{key}.ics").status_code == 200
    assert web.client.get(f"/feeds/{web.mission_id}/brown/wrong.ics").status_code == 404
