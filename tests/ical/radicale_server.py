"""A real Radicale CalDAV server for the tests: started on 127.0.0.1, with a user and a password."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import icalendar

USER = "brown"
PASSWORD = "radicale-Pa55"  # looked up by the name BROWN_DAV in the tests


@dataclass(frozen=True)
class Radicale:
    base: str  # http://127.0.0.1:PORT

    def principal(self) -> str:
        return f"{self.base}/{USER}/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def radicale(folder: Path) -> Iterator[Radicale]:
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = _free_port()
    args = [
        sys.executable, "-m", "radicale", "--config", "",
        "--server-hosts", f"127.0.0.1:{port}",
        "--auth-type", "htpasswd",
        "--auth-htpasswd-filename", str(folder / "users"),
        "--auth-htpasswd-encryption", "plain",
        "--storage-filesystem-folder", str(folder / "collections"),
    ]  # fmt: skip
    log = (folder / "radicale.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "radicale.log").read_text(errors="replace")) from None
                time.sleep(0.1)
        yield Radicale(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def objects_of(path: Path) -> list[str]:
    """A calendar file split into CalDAV objects: one per UID, each with the file's VTIMEZONEs."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    zones = list(cal.walk("VTIMEZONE"))
    by_uid: dict[str, list[icalendar.cal.Component]] = {}
    for ev in cal.walk("VEVENT"):
        by_uid.setdefault(str(ev["UID"]), []).append(ev)
    out = []
    for events in by_uid.values():
        one = icalendar.Calendar()
        one.add("VERSION", "2.0")
        one.add("PRODID", "-//tests//radicale//EN")
        for c in [*zones, *events]:
            one.add_component(c)
        out.append(one.to_ical().decode())
    return out
