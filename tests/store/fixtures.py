"""Database fixtures shared by the test folders that need a real store.

Each folder's conftest imports the ones it uses (`from tests.store.fixtures import ...`), so
one definition serves the store, service, timed-work and outbox tests alike: `db_url` runs
every test once per backend (SQLite, and PostgreSQL when configured), `store` opens the
schema there, and `_drop_test_schemas` removes the PostgreSQL schemas after the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.store import Store, open_store
from tests.store.databases import BACKENDS, database, drop_schemas


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    yield
    drop_schemas()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()
