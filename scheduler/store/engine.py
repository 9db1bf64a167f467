"""Opening the database: engine, SQLite settings, migrations on start, units of work.

    store = open_store()                      # ./var/scheduler.db, created on first run
    store = open_store("postgresql+psycopg://postgres@127.0.0.1:5432/scheduler")
    with store.unit_of_work() as uow:         # one transaction: commit on success, rollback on error
        uow.lock_mission(1)
        ...

`SCHEDULER_DATABASE_URL` names the database when no URL is given. Migrations (Alembic, in
`scheduler/store/migrations`) run on every open, under a lock, so two processes starting
together do not race each other.

Transactions: on SQLite a writing unit of work starts with `BEGIN IMMEDIATE`, which takes the
database's write lock at once (a plain `BEGIN` would take it only at the first write, and two
transactions that both read first deadlock instead of waiting). On PostgreSQL the mission row
is locked with `SELECT … FOR UPDATE` by `lock_mission`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.audit import record_changes
from scheduler.store.outbox import DbOutbox
from scheduler.store.repository import SqlUnitOfWork
from scheduler.store.webhooks import DbWebhooks

DEFAULT_URL = "sqlite:///var/scheduler.db"
ENV_URL = "SCHEDULER_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 7_311_027  # any constant: the advisory lock id for migrations on PostgreSQL
SQLITE_BUSY_TIMEOUT_S = 30.0


class Store:
    """An open database: hands out units of work and the outbox. Build it with `open_store`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write = sessionmaker(
            bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        record_changes(self._write)

    @contextmanager
    def unit_of_work(self, *, write: bool = True, actor: str = "") -> Iterator[SqlUnitOfWork]:
        """One transaction. Commits when the block ends normally, rolls back on any exception.

        `write=False` is for reads: on SQLite it does not take the write lock. `actor` is who
        the audit trail names for the changes (see `store.audit`).
        """
        session: Session = (self._write if write else self._read)()
        session.info["actor"] = actor
        try:
            uow = SqlUnitOfWork(session)
            yield uow
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def outbox(self) -> DbOutbox:
        """The outbox for the delivery step: each call of its methods is its own transaction."""
        return DbOutbox(self._write)

    def webhooks(self, *, lease: timedelta = timedelta(seconds=30)) -> DbWebhooks:
        """The webhook delivery step; `lease` must outlast one request (see `store.webhooks`)."""
        return DbWebhooks(self._write, lease=lease)

    def close(self) -> None:
        self.engine.dispose()


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else `SCHEDULER_DATABASE_URL`, else ./var/scheduler.db."""
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


def shown_url(url: str | None = None) -> str:
    """The database URL to print or log: the password, if any, masked as ***."""
    return make_url(database_url(url)).render_as_string(hide_password=True)


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and create, and migrate to the newest schema) the database named by `url`."""
    url = database_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    if migrate:
        upgrade(engine)
    return Store(engine)


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite's own transaction handling begins late and never IMMEDIATE; take it over.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied, under a lock (advisory on PostgreSQL)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
