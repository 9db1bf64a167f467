"""Migration 0008 on a database that already holds missions, accounts and tokens (both databases):
nobody is locked out (every account owns every mission) and old tokens get an expiry."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from scheduler.store import open_store
from scheduler.store.engine import MIGRATIONS

WHEN = "'2027-01-01 00:00:00+00:00'"
MISSION = (
    'INSERT INTO missions (name, timezone, start, "end", step_seconds, buffer_seconds, organizer,'
    " video_url, source, claim_cell_seconds, created_at) VALUES (:name, 'UTC', '2027-02-15',"
    " '2027-02-16', 900, 900, '{}', '', '', 900, '2027-01-01 00:00:00+00:00')"
)


def test_every_existing_account_owns_every_existing_mission_and_old_tokens_expire(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        for name in ("first", "second"):
            conn.execute(text(MISSION), {"name": name})
        for email in ("a@example.org", "b@example.org"):
            conn.execute(
                text(f"INSERT INTO users (email, password_hash, created_at) VALUES (:e, 'x', {WHEN})"),
                {"e": email},
            )
        conn.execute(
            text(f"INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (1, :h, {WHEN})"),
            {"h": "0" * 64},
        )
    engine.dispose()
    store = open_store(db_url)
    try:
        with store.unit_of_work(write=False) as uow:
            owners = {(m, member.email, member.role) for m in uow.mission_ids() for member in uow.members(m)}
        with store.engine.connect() as conn:
            token = conn.execute(text("SELECT name, expires_at FROM api_tokens")).one()
    finally:
        store.close()
    assert owners == {(m, e, "owner") for m in (1, 2) for e in ("a@example.org", "b@example.org")}
    assert token[0] == "before expiry"
    assert token[1] is not None
