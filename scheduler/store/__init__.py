"""Storage: SQLAlchemy models, the unit of work, the outbox table and Alembic migrations.

from scheduler.store import open_store
store = open_store()            # ./var/scheduler.db, or SCHEDULER_DATABASE_URL
"""

from scheduler.store.engine import DEFAULT_URL, ENV_URL, Store, database_url, open_store, shown_url
from scheduler.store.outbox import DbOutbox, SessionOutbox
from scheduler.store.repository import SqlUnitOfWork

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "DbOutbox",
    "SessionOutbox",
    "SqlUnitOfWork",
    "Store",
    "database_url",
    "open_store",
    "shown_url",
]
