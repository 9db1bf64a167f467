"""The `BusySource` adapter: files, ICS URLs (conditional GET) and CalDAV calendars, one way in.

    reader = LiveBusySource()
    read = reader.read(source, base_dir=".", owner_zone="America/Toronto", window=w, etag=last_etag)
    read.busy is None  → HTTP 304: the last good copy stands

Files and CalDAV calendars are read whole each time (a file is cheap; CalDAV is asked only
for the window). Strictness is the lenient import's: a broken event is skipped with a warning.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.core.intervals import Interval
from scheduler.ical.busy import load_busy, parse_busy
from scheduler.ical.fetch import fetch, is_url
from scheduler.ical.secrets import redact
from scheduler.ports import SourceRead


class LiveBusySource:
    """`scheduler.ports.BusySource` over the real world."""

    def read(
        self,
        source: str,
        *,
        base_dir: str,
        owner_zone: str,
        window: Interval,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> SourceRead:
        if is_url(source):
            got = fetch(source, etag=etag, last_modified=last_modified)
            if got.status == 304:
                return SourceRead(busy=None, etag=got.etag, last_modified=got.last_modified)
            busy = parse_busy(got.data or b"", source=redact(source), owner_zone=owner_zone, window=window)
            return SourceRead(busy=busy, etag=got.etag, last_modified=got.last_modified)
        busy = load_busy(source, base_dir=Path(base_dir), owner_zone=owner_zone, window=window)
        return SourceRead(busy=busy)
