"""A durable, file-backed outbox: a message is on disk before anything tries to send it.

Layout of the folder (default `./var/outbox`)::

    queue/<key>.eml     queued message, the exact bytes that will be sent (a mail client opens it)
    queue/<key>.json    its envelope and retry state: sender, recipients, attempts, next attempt, last error
    sent/<key>.eml      sent; sent/<key>.json says when (its existence is the "marked sent" fact)
    failed/<key>.eml    parked after a permanent error; failed/<key>.json holds the error text
    tmp/                files being written; never read
    state.json          UID, SEQUENCE and time of every meeting sent through this outbox (see `MeetingLedger`)
    lock                held (flock) by a delivery pass, so two passes never send one message together

`<key>` is a hash of the Message-ID, so one Message-ID has one file name in every folder.

Every write goes to `tmp/`, is fsynced, then renamed into place (atomic on one file system), and
the folder is fsynced. The order of steps decides what a kill at any moment leaves behind:

* enqueue: the `.json` first, then the `.eml`; the `.eml` appearing in `queue/` is the commit.
  A kill before it leaves a stray `.json` that is ignored and overwritten.
* deliver: send, then write `sent/<key>.json` (the mark), then move the `.eml`. A kill after the
  send and before the mark leaves the message queued, so it is sent again with the same
  Message-ID (at least once; receivers deduplicate on it). A kill after the mark leaves the
  `.eml` in `queue/`, and the next pass finishes the move without sending.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from scheduler.core.intervals import ensure_utc
from scheduler.errors import DeliveryError
from scheduler.ports import DeliveryReport, Envelope, OutboxEntry, Status, Transport

log = logging.getLogger(__name__)

DEFAULT_DIR = Path("var/outbox")
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about a day and a half of retries before a temporary error is given up on


def message_key(message_id: str) -> str:
    """The file name stem for a Message-ID: stable, and safe whatever the id contains."""
    return hashlib.sha256(message_id.strip().encode("utf-8")).hexdigest()[:32]


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 1 min, 2, 4, … doubling, at most 6 h."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, tmp_dir: Path | None = None) -> None:
    """Write `data` to `path` so a reader sees the old file or the whole new one, never a part."""
    tmp_dir = tmp_dir or path.parent
    tmp = tmp_dir / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else ensure_utc(value).isoformat()


def _when(value: str | None) -> datetime | None:
    return None if value is None else ensure_utc(datetime.fromisoformat(value))


@dataclass
class _Meta:
    """The `.json` beside each `.eml`."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    enqueued_at: datetime
    attempts: int = 0
    next_attempt: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None

    def dump(self) -> bytes:
        data = {
            "message_id": self.message_id,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "enqueued_at": _iso(self.enqueued_at),
            "attempts": self.attempts,
            "next_attempt": _iso(self.next_attempt),
            "last_error": self.last_error,
            "sent_at": _iso(self.sent_at),
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def load(cls, raw: bytes) -> _Meta:
        d: dict[str, Any] = json.loads(raw)
        enqueued = _when(d["enqueued_at"])
        assert enqueued is not None
        return cls(
            message_id=d["message_id"],
            sender=d["sender"],
            recipients=tuple(d["recipients"]),
            subject=d.get("subject", ""),
            enqueued_at=enqueued,
            attempts=int(d.get("attempts", 0)),
            next_attempt=_when(d.get("next_attempt")),
            last_error=d.get("last_error", ""),
            sent_at=_when(d.get("sent_at")),
        )

    def entry(self, status: Status) -> OutboxEntry:
        return OutboxEntry(
            message_id=self.message_id,
            status=status,
            recipients=self.recipients,
            subject=self.subject,
            enqueued_at=self.enqueued_at,
            attempts=self.attempts,
            next_attempt=self.next_attempt if status == "queued" else None,
            last_error=self.last_error,
            sent_at=self.sent_at,
        )


def _subject_of(data: bytes) -> str:
    msg = message_from_bytes(data, policy=policy.default)
    # " ".join(split()): a folded header can start with the fold, which the parser keeps as a space.
    return " ".join(str(msg.get("Subject", "")).split())


class FileOutbox:
    """The `Outbox` port on a folder. Safe against kills at any moment; see the module docstring."""

    def __init__(self, root: str | Path = DEFAULT_DIR, *, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.root = Path(root)
        self.max_attempts = max_attempts
        self.queue, self.sent, self.failed, self.tmp = (
            self.root / n for n in ("queue", "sent", "failed", "tmp")
        )
        for folder in (self.queue, self.sent, self.failed, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)

    # --- writing -------------------------------------------------------------------------------
    def _write(self, path: Path, data: bytes) -> None:
        atomic_write(path, data, self.tmp)

    def _known(self, key: str) -> bool:
        return any(
            (folder / f"{key}.eml").exists() for folder in (self.queue, self.sent, self.failed)
        ) or any((folder / f"{key}.json").exists() for folder in (self.sent, self.failed))

    def enqueue(self, envelope: Envelope, *, now: datetime) -> bool:
        """Store the message for delivery. False (and nothing written) when its Message-ID is known."""
        if not envelope.recipients:
            raise ValueError(f"message {envelope.message_id} has no recipients")
        key = message_key(envelope.message_id)
        with self._locked():
            if self._known(key):
                return False
            meta = _Meta(
                message_id=envelope.message_id,
                sender=envelope.sender,
                recipients=envelope.recipients,
                subject=_subject_of(envelope.data),
                enqueued_at=ensure_utc(now, "now"),
            )
            self._write(self.queue / f"{key}.json", meta.dump())
            self._write(self.queue / f"{key}.eml", envelope.data)  # the commit point
        log.info("queued %s for %s", envelope.message_id, ", ".join(envelope.recipients))
        return True

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # flock is released by the kernel when the process dies, so a kill never leaves it held.
        with open(self.root / "lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # --- reading -------------------------------------------------------------------------------
    def _meta(self, folder: Path, key: str) -> _Meta | None:
        try:
            return _Meta.load((folder / f"{key}.json").read_bytes())
        except FileNotFoundError:
            return None

    def _queued_keys(self) -> list[str]:
        return sorted(p.stem for p in self.queue.glob("*.eml"))

    def entries(self) -> list[OutboxEntry]:
        """Every message with its status, oldest first. A mark decides the status, not the folder."""
        out: list[OutboxEntry] = []
        keys = {p.stem for folder in (self.queue, self.sent, self.failed) for p in folder.glob("*.eml")}
        for key in keys:
            for status, folder in (("sent", self.sent), ("failed", self.failed), ("queued", self.queue)):
                meta = self._meta(folder, key)
                if meta is not None:
                    out.append(meta.entry(status))  # type: ignore[arg-type]
                    break
        return sorted(out, key=lambda e: (e.enqueued_at, e.message_id))

    def _settled(self, key: str) -> bool:
        return (self.sent / f"{key}.json").exists() or (self.failed / f"{key}.json").exists()

    # --- delivery ------------------------------------------------------------------------------
    def deliver(self, transport: Transport, *, now: datetime) -> DeliveryReport:
        """One pass: send every queued message that is due at `now`, mark it, and record failures."""
        now = ensure_utc(now, "now")
        sent: list[str] = []
        retrying: list[str] = []
        failed: list[str] = []
        waiting: list[str] = []
        with self._locked():
            for key in self._queued_keys():
                if self._settled(key):
                    self._finish_move(key)
                    continue
                meta = self._meta(self.queue, key)
                if meta is None:  # cannot happen after a clean enqueue; keep the message, say so
                    log.error("queued message %s has no envelope file; left in place", key)
                    continue
                if meta.next_attempt is not None and meta.next_attempt > now:
                    waiting.append(meta.message_id)
                    continue
                data = (self.queue / f"{key}.eml").read_bytes()
                envelope = Envelope(
                    message_id=meta.message_id, sender=meta.sender, recipients=meta.recipients, data=data
                )
                meta.attempts += 1
                try:
                    transport.send(envelope)
                except DeliveryError as exc:
                    meta.last_error = str(exc)
                    if exc.temporary and meta.attempts < self.max_attempts:
                        meta.next_attempt = now + backoff(meta.attempts)
                        self._write(self.queue / f"{key}.json", meta.dump())
                        retrying.append(meta.message_id)
                        log.warning("will retry %s at %s: %s", meta.message_id, meta.next_attempt, exc)
                    else:
                        if exc.temporary:
                            meta.last_error = f"gave up after {meta.attempts} attempts: {exc}"
                        meta.next_attempt = None
                        self._write(self.failed / f"{key}.json", meta.dump())
                        self._finish_move(key)
                        failed.append(meta.message_id)
                        log.error("parked %s: %s", meta.message_id, meta.last_error)
                    continue
                meta.sent_at, meta.next_attempt, meta.last_error = now, None, ""
                self._write(self.sent / f"{key}.json", meta.dump())  # the mark
                self._finish_move(key)
                sent.append(meta.message_id)
                log.info("sent %s", meta.message_id)
        return DeliveryReport(
            sent=tuple(sent), retrying=tuple(retrying), failed=tuple(failed), waiting=tuple(waiting)
        )

    def _finish_move(self, key: str) -> None:
        """Move a marked message's `.eml` next to its mark and drop the queue's `.json`."""
        target = self.sent if (self.sent / f"{key}.json").exists() else self.failed
        src = self.queue / f"{key}.eml"
        if src.exists():
            os.replace(src, target / f"{key}.eml")
            _fsync_dir(target)
        with contextlib.suppress(FileNotFoundError):
            (self.queue / f"{key}.json").unlink()
        _fsync_dir(self.queue)

    def retry_failed(self, message_id: str, *, now: datetime) -> bool:
        """Put a parked message back in the queue (after the address or server was fixed)."""
        key = message_key(message_id)
        with self._locked():
            meta = self._meta(self.failed, key)
            if meta is None or not (self.failed / f"{key}.eml").exists():
                return False
            meta.attempts, meta.next_attempt = 0, ensure_utc(now, "now")
            self._write(self.queue / f"{key}.json", meta.dump())
            os.replace(self.failed / f"{key}.eml", self.queue / f"{key}.eml")
            (self.failed / f"{key}.json").unlink()
            _fsync_dir(self.failed)
            _fsync_dir(self.queue)
        return True
