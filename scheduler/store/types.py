"""Column types that keep the house rules on time: instants go in as UTC and come out aware.

SQLite has no time zone type and hands back naive datetimes; PostgreSQL's `timestamptz` hands
back aware ones in the session's zone. `UTCDateTime` makes both the same: it refuses a naive
datetime on the way in (nobody can know what it meant), stores the UTC wall time, and returns
an aware UTC datetime on the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: aware in, stored as UTC, aware UTC out. Naive input raises `ValueError`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give an aware one")
        utc = value.astimezone(UTC)
        # SQLite stores text; keep it naive there so every row compares and sorts the same way.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)
