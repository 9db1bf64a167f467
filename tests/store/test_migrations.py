"""The schema comes from Alembic migrations, applied on open, and matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from scheduler.store import open_store
from scheduler.store.engine import MIGRATIONS
from scheduler.store.tables import Base


def _head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def test_open_store_creates_var_scheduler_db_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEDULER_DATABASE_URL", raising=False)
    store = open_store()
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    store.close()
    assert (tmp_path / "var" / "scheduler.db").is_file()
    assert version == _head()


def test_the_environment_variable_names_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    open_store().close()
    assert (tmp_path / "elsewhere.db").is_file()


def test_migrated_schema_matches_the_models(store) -> None:
    import importlib
    import pkgutil

    import scheduler.store

    for module in pkgutil.iter_modules(scheduler.store.__path__, "scheduler.store."):
        if not module.name.endswith(".migrations"):
            importlib.import_module(module.name)  # every module that declares tables
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_opening_again_applies_nothing_and_keeps_rows(db_url: str) -> None:
    first = open_store(db_url)
    with first.engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO missions (name, timezone, start, "end", step_seconds, buffer_seconds, organizer,'
                " video_url, source, claim_cell_seconds, created_at) VALUES ('m', 'UTC', '2027-02-15',"
                " '2027-02-16', 900, 900, '{}', '', '', 900, '2027-01-01 00:00:00+00:00')"
            )
        )
    first.close()
    second = open_store(db_url)
    with second.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM missions")).scalar_one()
        tables = set(inspect(conn).get_table_names())
    second.close()
    assert count == 1
    assert {"missions", "claims", "bookings", "proposals", "outbox"} <= tables
