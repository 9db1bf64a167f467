"""`scheduler serve` as a person runs it: its default database, outbox delivery, and logs free of tokens."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from scheduler.ports import Envelope
from scheduler.store import open_store
from scheduler.web.access_log import RedactTokens, redact, uvicorn_log_config
from tests.web.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not start")


def _schema_version(db: Path) -> tuple[str, set[str]]:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            return str(version), set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from scheduler.store.engine import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def test_serve_migrates_var_scheduler_db_delivers_the_outbox_and_logs_no_booking_token(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")}
    env.update(SCHEDULER_SECRET_KEY="serve-test-secret", PYTHONPATH=str(ROOT))
    port = free_port()
    token = secrets.token_urlsafe(32)
    db = tmp_path / "var" / "scheduler.db"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, proc)
            # The default database was created and migrated to the newest schema on start.
            version, tables = _schema_version(db)
            assert version == _head()
            assert {"missions", "meetings", "bookings", "claims", "proposals", "outbox"} <= tables
            for path in (f"/book/{token}", f"/book/{token}/invite.ics", f"/book/{token}?lang=ja"):
                assert httpx.get(base + path).status_code == 404
            # A message queued now is delivered by the running service (every 10 s).
            store = open_store(f"sqlite:///{db}")
            store.outbox().enqueue(
                Envelope(
                    message_id="<serve.1@example.org>",
                    sender="coordinator@example.org",
                    recipients=("contact@example.jp",),
                    data=b"Subject: hello\r\n\r\nhello\r\n",
                ),
                now=datetime.now(UTC),
            )
            store.close()
            deadline = time.monotonic() + 25
            maildir = tmp_path / "var" / "maildir" / "new"
            while time.monotonic() < deadline and not (maildir.exists() and any(maildir.iterdir())):
                time.sleep(0.2)
            delivered = [p.read_bytes() for p in maildir.iterdir()] if maildir.exists() else []
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert len(delivered) == 1
    assert b"hello" in delivered[0]
    assert token not in text
    assert text.count("/book/[redacted]") == 3, text


def test_the_filter_redacts_tokens_in_any_record_form() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, "%s %s", ("GET", "/book/abc"), None
    )
    RedactTokens().filter(record)
    assert record.getMessage() == "GET /book/[redacted]"
    assert redact("/book/t0k-en_/pick?lang=ja") == "/book/[redacted]/pick?lang=ja"
    assert redact("/login?next=/book") == "/login?next=/book"


def test_uvicorns_access_log_with_our_config_prints_no_token(tmp_path: Path) -> None:
    """Through uvicorn's own access logger and formatter, served over real HTTP."""
    app = FastAPI()

    @app.get("/book/{token}")
    def page(token: str) -> dict[str, str]:
        return {"ok": "yes"}

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=uvicorn_log_config(), lifespan="off")
    )
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    logging.getLogger("uvicorn.access").addHandler(keep)
    try:
        token = secrets.token_urlsafe(32)
        assert httpx.get(f"http://127.0.0.1:{port}/book/{token}").status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        logging.getLogger("uvicorn.access").removeHandler(keep)
    assert len(seen) == 1
    assert token not in seen[0]
    assert "/book/[redacted]" in seen[0]
