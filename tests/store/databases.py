"""Real databases for the storage and service tests: a SQLite file, and a fresh PostgreSQL schema.

`SCHEDULER_TEST_POSTGRES_URL` names the PostgreSQL server (default the CI one); set it to ""
to skip the PostgreSQL half. Each test gets its own fresh schema (`search_path`), so tests
never see each other's rows; the schemas are dropped when the session ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_URL = os.environ.get("SCHEDULER_TEST_POSTGRES_URL", DEFAULT_PG)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="SCHEDULER_TEST_POSTGRES_URL is empty"),
        ],
    ),
]


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL naming an empty database of that backend, cleaned up afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'scheduler.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    _CREATED.append(schema)
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)


_CREATED: list[str] = []


def drop_schemas() -> None:
    """Drop every schema the tests created, at the end of the session (dropping each after its
    test is slow). One statement per schema: a single DROP of hundreds of schemas takes a lock
    per object in one transaction and runs out of PostgreSQL's lock table."""
    if not _CREATED:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for schema in _CREATED:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    _CREATED.clear()
