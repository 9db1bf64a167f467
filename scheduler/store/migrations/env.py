"""Alembic environment, driven from code: `open_store` passes the connection in `attributes`.

Run from the command line as well (`alembic -c scheduler/store/migrations/alembic.ini
revision --autogenerate -m "…"` with `SCHEDULER_DATABASE_URL` set), which is how new
revisions are written; only then are all the store's modules loaded, so autogenerate sees
every table declared on `Base` (applying migrations needs none of them).
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from alembic import context
from sqlalchemy import create_engine

import scheduler.store
from scheduler.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _load_every_table_module() -> None:
    for module in pkgutil.iter_modules(scheduler.store.__path__, "scheduler.store."):
        if not module.name.endswith(".migrations"):
            importlib.import_module(module.name)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    _load_every_table_module()
    url = os.environ.get("SCHEDULER_DATABASE_URL", "sqlite:///var/scheduler.db")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():  # pragma: no cover - we always migrate a live database
    raise SystemExit("offline migrations are not supported")
run()
