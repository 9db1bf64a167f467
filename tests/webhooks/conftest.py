from __future__ import annotations

from tests.services.conftest import clock, services
from tests.store.fixtures import _drop_test_schemas, db_url, store

__all__ = ["_drop_test_schemas", "clock", "db_url", "services", "store"]
