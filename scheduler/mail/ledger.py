"""What every meeting's attendees were last told: UID, SEQUENCE, time and status, in `state.json`.

Until storage exists (issue 5) this small JSON file in the outbox folder is what makes a second
`scheduler invite` after a change send an update with the same UID and SEQUENCE + 1 instead
of a second invitation. It is rewritten whole and atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from scheduler.core.intervals import ensure_utc
from scheduler.mail.outbox import atomic_write


@dataclass(frozen=True, kw_only=True)
class MeetingRecord:
    """The last version of a meeting that was sent: what the next change compares against."""

    mission: str
    meeting_id: str
    uid: str
    sequence: int
    start: datetime
    end: datetime
    status: Literal["confirmed", "cancelled"] = "confirmed"


class MeetingLedger:
    """`state.json`: meeting records by UID."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, MeetingRecord]:
        """Every record by UID; empty when nothing was sent yet."""
        try:
            raw = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        out: dict[str, MeetingRecord] = {}
        for uid, d in raw.get("meetings", {}).items():
            out[uid] = MeetingRecord(
                mission=d["mission"],
                meeting_id=d["meeting_id"],
                uid=uid,
                sequence=int(d["sequence"]),
                start=ensure_utc(datetime.fromisoformat(d["start"])),
                end=ensure_utc(datetime.fromisoformat(d["end"])),
                status=d.get("status", "confirmed"),
            )
        return out

    def save(self, records: Mapping[str, MeetingRecord]) -> None:
        """Replace the file with `records`, atomically."""
        data = {
            "meetings": {
                uid: {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(r).items()}
                for uid, r in sorted(records.items())
            }
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
