"""A login flood against two real `scheduler serve` processes on one PostgreSQL database.

Both processes are the real command, each with its own connection pool; threads guess wrong
passwords for one account as fast as they can, spread over both. The throttle's counts live
in the database, so the two processes together let through no more guesses than one would:
the free tries, then one guess per growing wait (1 s, 2 s, 4 s …). The right password sent
during the wait is refused too. Both processes run behind an https base URL, and nothing
else, so their cookies carry `Secure`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from scheduler.services.accounts import add_user
from scheduler.services.logins import ACCOUNT_RULE
from scheduler.store import open_store
from scheduler.web import WebSettings, build_services
from tests.store.databases import PG_URL, database
from tests.web.server import free_port

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "target@example.org", "the right password"
FLOOD_SECONDS = 4.0
THREADS_PER_PROCESS = 6

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="SCHEDULER_TEST_POSTGRES_URL is empty"),
]


def _serve(url: str, folder: Path, name: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = folder / f"{name}.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")},
        "PYTHONPATH": str(ROOT),
        "SCHEDULER_SECRET_KEY": "flood-test-secret",
    }
    command = [
        sys.executable, "-m", "scheduler", "serve", "--db", url, "--port", str(port),
        "--base-url", "https://mission.example.org",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", log


def _wait_up(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"serve did not start:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def most_accepted(seconds: float) -> int:
    """The guesses one process alone may let through in `seconds`: the free ones, then one per
    wait, each twice the one before (the k-th after the free ones comes 2**k - 1 s later)."""
    waits = 0
    while 2 ** (waits + 1) - 1 <= seconds:
        waits += 1
    return ACCOUNT_RULE.free + waits


def test_two_serve_processes_on_postgresql_hold_the_throttle_together(tmp_path: Path) -> None:
    with database("postgres", tmp_path) as url:
        store = open_store(url)
        add_user(build_services(store, WebSettings(database_url=url)), EMAIL, PASSWORD)
        store.close()
        servers = [_serve(url, tmp_path, name) for name in ("one", "two")]
        try:
            for proc, base, log in servers:
                _wait_up(proc, base, log)
            # https base URL, nothing else: Secure cookies.
            assert "; secure" in httpx.get(f"{servers[0][1]}/login").headers["set-cookie"].lower()

            answers: Counter[tuple[str, int]] = Counter()
            lock = threading.Lock()
            start = time.monotonic()

            def guess(base: str) -> None:
                with httpx.Client(base_url=base, timeout=30) as client:
                    while time.monotonic() - start < FLOOD_SECONDS:
                        r = client.post("/api/auth/token", json={"email": EMAIL, "password": "wrong guess"})
                        with lock:
                            answers[(base, r.status_code)] += 1

            threads = [
                threading.Thread(target=guess, args=(base,))
                for _proc, base, _log in servers
                for _ in range(THREADS_PER_PROCESS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
            # Straight after the flood the account is waiting: the right password is refused.
            right = httpx.post(f"{servers[1][1]}/api/auth/token", json={"email": EMAIL, "password": PASSWORD})
        finally:
            for proc, _base, _log in servers:
                _stop(proc)
    by_status = Counter[int]()
    for (_base, status), n in answers.items():
        by_status[status] += n
    accepted = by_status[401]
    per_process = {base: answers[(base, 401)] for _p, base, _l in servers}
    print(
        f"\n{sum(by_status.values())} guesses in {elapsed:.1f} s "
        f"({sum(by_status.values()) / elapsed:.0f}/s) over two processes: {accepted} checked "
        f"{per_process}, {by_status[429]} refused with 429"
    )
    assert set(by_status) <= {401, 429}, by_status
    assert by_status[429] > 10 * accepted  # the flood was real, and nearly all of it refused
    assert ACCOUNT_RULE.free <= accepted <= most_accepted(elapsed + 1)
    assert right.status_code == 429
