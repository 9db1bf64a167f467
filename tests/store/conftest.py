from __future__ import annotations

from tests.store.fixtures import _drop_test_schemas, db_url, store

__all__ = ["_drop_test_schemas", "db_url", "store"]
