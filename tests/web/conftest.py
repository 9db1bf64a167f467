"""The web app over a real SQLite file (and PostgreSQL where a test asks), the sample mission
imported, a frozen clock three weeks before the mission, a coordinator with an API token."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette 1.x deprecates its httpx-based TestClient (for httpx2) at import; it still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from scheduler.core.models import Mission
from scheduler.mission.reader import load_mission
from scheduler.ports import FixedClock
from scheduler.services import Services, import_mission
from scheduler.services.accounts import add_user, issue_api_token, user_for_token
from scheduler.store import Store, open_store
from scheduler.web import WebSettings, build_services, create_app

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 1, 25, 12, 0, tzinfo=UTC)  # three weeks before the sample mission
EMAIL, PASSWORD = "coordinator@example.org", "correct horse battery"
SECRET = "test-secret-key"


@dataclass
class Web:
    app: FastAPI
    client: TestClient
    services: Services
    store: Store
    clock: FixedClock
    token: str
    mission_id: int

    @property
    def user_id(self) -> int:
        """The coordinator's account id (the owner of the missions the tests import)."""
        user = user_for_token(self.services, self.token)
        assert user is not None
        return user.id

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def api(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.request(method, f"/api/missions/{self.mission_id}{path}", headers=self.auth, **kw)


@lru_cache(maxsize=1)
def sample_mission() -> Mission:
    """The sample mission file, read once (its calendars take a while to parse)."""
    return load_mission(ROOT / "config.toml")


def build_web(
    url: str,
    *,
    base_url: str = "http://testserver",
    mission: bool = True,
    ready: tuple[str, int] | None = None,
    app: FastAPI | None = None,
) -> Web:
    """The app over `url`: with the sample mission and a coordinator, or (`ready`: token, mission id)
    over a copy of a database that already holds them. An `app` given is pointed at the new store
    (building the routes is the slow part of `create_app`, so the tests share one app)."""
    store = open_store(url)
    clock = FixedClock(NOW)
    if app is None:
        # The tests move the frozen clock by hours between a login and a page: a session idles
        # out only at its absolute end here (test_sessions.py checks the idle limit itself).
        settings = WebSettings(
            database_url=url, secret_key=SECRET, base_url=base_url, session_idle_minutes=12 * 60
        )
        app = create_app(settings, store=store, clock=clock)
    else:
        app.state.store = store
        app.state.services = build_services(store, app.state.settings, clock)
    services: Services = app.state.services
    if ready is None:
        user = add_user(services, EMAIL if mission else f"0-{EMAIL}", PASSWORD)
        # The coordinator created the mission, so owns it (issue 12: missions belong to people).
        mission_id = (
            import_mission(services, sample_mission(), source="config.toml", owner=user.id) if mission else 0
        )
        token = issue_api_token(services, user.id)
    else:
        token, mission_id = ready
    client = TestClient(app, base_url=base_url)
    return Web(app, client, services, store, clock, token, mission_id)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int, FastAPI]:
    """One SQLite file with the sample mission and the coordinator, copied for each test (fast),
    and the app, re-pointed at each test's copy."""
    path = tmp_path_factory.mktemp("template") / "web.db"
    w = build_web(f"sqlite:///{path}")
    w.client.close()
    w.store.close()
    return path, w.token, w.mission_id, w.app


@pytest.fixture
def web(tmp_path: Path, _template_db: tuple[Path, str, int, FastAPI]) -> Iterator[Web]:
    template, token, mission_id, app = _template_db
    shutil.copyfile(template, tmp_path / "web.db")
    w = build_web(f"sqlite:///{tmp_path / 'web.db'}", ready=(token, mission_id), app=app)
    yield w
    w.client.close()
    w.store.close()


@pytest.fixture
def proposal(web: Web) -> dict[str, Any]:
    """A proposal for the JETRO briefing (a Tokyo counterpart), with its link."""
    r = web.api("POST", "/meetings/jetro-briefing/proposals")
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
