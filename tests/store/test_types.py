"""Instants are stored in UTC and come back aware, on SQLite (which has no zones) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import StatementError

from scheduler.store.types import UTCDateTime

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def table_engine(db_url: str):
    engine = create_engine(db_url)
    meta = MetaData()
    table = Table("instants", meta, Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    meta.create_all(engine)
    yield engine, table
    engine.dispose()


def test_an_instant_comes_back_as_the_same_aware_utc_instant(table_engine) -> None:
    engine, table = table_engine
    tokyo_morning = datetime(2027, 2, 16, 10, 0, tzinfo=TOKYO)
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, at=tokyo_morning))
        back = conn.execute(select(table.c.at)).scalar_one()
    assert back == tokyo_morning
    assert back.tzinfo is UTC
    assert back.isoformat() == "2027-02-16T01:00:00+00:00"


def test_a_naive_datetime_is_refused(table_engine) -> None:
    engine, table = table_engine
    with engine.begin() as conn, pytest.raises(StatementError, match="naive datetime"):
        conn.execute(insert(table).values(id=1, at=datetime(2027, 2, 16, 10, 0)))  # noqa: DTZ001


def test_sqlite_keeps_the_utc_wall_time_in_the_file(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    meta = MetaData()
    table = Table("instants", meta, Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, at=datetime(2027, 2, 16, 10, 0, tzinfo=TOKYO)))
        raw = conn.execute(text("SELECT at FROM instants")).scalar_one()
    engine.dispose()
    assert raw.startswith("2027-02-16 01:00:00")
