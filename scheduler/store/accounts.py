"""Coordinator accounts: users, API tokens, page sessions and the login throttle.

Tables of the web service's own, on the store's declarative `Base` (migrations 0002 and 0008).
Secrets are never stored: an API token and a session cookie are random values of which only
the sha256 is kept. The throttle's counts live here, not in a process, so every server
process working on the database sees and updates the same counts (see `core.throttle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.core.access import SessionInfo, TokenInfo
from scheduler.core.throttle import Attempts
from scheduler.errors import Conflict
from scheduler.store.tables import Base
from scheduler.store.types import UTCDateTime


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SessionRow(Base):
    """A page session: the sha256 of the cookie's random value, its user and its two expiries."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginThrottleRow(Base):
    """Failed logins of one key: `account:<email>` or `address:<client address>`."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AccountRepository:
    """The account methods of the unit of work (mixed into `scheduler.store.editing.AppUnitOfWork`)."""

    session: Session

    # --- users -----------------------------------------------------------------------------------
    def add_user(self, email: str, password_hash: str, *, now: datetime) -> int:
        row = UserRow(email=email, password_hash=password_hash, created_at=now)
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            raise Conflict(f"there is already an account for {email}") from None
        return row.id

    def user_by_email(self, email: str) -> tuple[int, str, str] | None:
        """(id, email, password hash) of the account, or None."""
        row = self.session.scalars(select(UserRow).where(UserRow.email == email)).first()
        return None if row is None else (row.id, row.email, row.password_hash)

    def user_email(self, user_id: int) -> str | None:
        row = self.session.get(UserRow, user_id)
        return None if row is None else row.email

    def user_ids(self) -> list[int]:
        return list(self.session.scalars(select(UserRow.id).order_by(UserRow.id)))

    def set_password(self, user_id: int, password_hash: str) -> None:
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.password_hash = password_hash
            self.session.flush()

    # --- API tokens ------------------------------------------------------------------------------
    def add_api_token(
        self, user_id: int, token_hash: str, *, now: datetime, expires_at: datetime, name: str = ""
    ) -> int:
        row = ApiTokenRow(
            user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at, name=name
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def user_by_token_hash(self, token_hash: str, *, now: datetime) -> tuple[int, str] | None:
        """(id, email) of a live token's owner (not revoked, not expired), or None."""
        row = self.session.execute(
            select(UserRow.id, UserRow.email, ApiTokenRow.id, ApiTokenRow.last_used_at)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(
                ApiTokenRow.token_hash == token_hash,
                ApiTokenRow.revoked_at.is_(None),
                ApiTokenRow.expires_at > now,
            )
        ).first()
        if row is None:
            return None
        # Last use to the minute is enough to tell a stale token, and spares a write per request.
        if row[3] is None or (now - row[3]).total_seconds() >= 60:
            self.session.execute(update(ApiTokenRow).where(ApiTokenRow.id == row[2]).values(last_used_at=now))
        return row[0], row[1]

    def api_tokens(self, user_id: int) -> list[TokenInfo]:
        rows = self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        )
        return [
            TokenInfo(
                id=r.id,
                name=r.name,
                created_at=r.created_at,
                expires_at=r.expires_at,
                revoked_at=r.revoked_at,
                last_used_at=r.last_used_at,
            )
            for r in rows
        ]

    def revoke_api_token(self, user_id: int, token_id: int, *, now: datetime) -> bool:
        """Revoke the user's token; False when the user has no such token."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is None or row.user_id != user_id:
            return False
        if row.revoked_at is None:
            row.revoked_at = now
            self.session.flush()
        return True

    # --- page sessions ---------------------------------------------------------------------------
    def add_session(self, id_hash: str, user_id: int, *, now: datetime, expires_at: datetime) -> None:
        self.session.add(
            SessionRow(
                id_hash=id_hash, user_id=user_id, created_at=now, last_seen_at=now, expires_at=expires_at
            )
        )
        self.session.flush()

    def session_info(self, id_hash: str) -> SessionInfo | None:
        row = self.session.execute(
            select(
                SessionRow.user_id,
                UserRow.email,
                SessionRow.created_at,
                SessionRow.last_seen_at,
                SessionRow.expires_at,
            )
            .join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.id_hash == id_hash)
        ).first()
        if row is None:
            return None
        return SessionInfo(
            user_id=row[0], email=row[1], created_at=row[2], last_seen_at=row[3], expires_at=row[4]
        )

    def touch_session(self, id_hash: str, *, now: datetime) -> None:
        self.session.execute(update(SessionRow).where(SessionRow.id_hash == id_hash).values(last_seen_at=now))

    def end_session(self, id_hash: str) -> None:
        self.session.execute(delete(SessionRow).where(SessionRow.id_hash == id_hash))

    def end_sessions(self, user_id: int) -> int:
        """End every session of the user; how many there were."""
        result = self.session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)

    def end_expired_sessions(self, now: datetime) -> None:
        self.session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))

    # --- the login throttle ----------------------------------------------------------------------
    def lock_throttle(self, keys: Sequence[str]) -> dict[str, Attempts]:
        """The state of each key, its row locked until the transaction ends (created when missing).

        On PostgreSQL the rows are locked with FOR UPDATE; on SQLite the unit of work already
        holds the database's write lock (BEGIN IMMEDIATE). Either way two processes counting
        the same key take turns, so no attempt is counted from a stale state.
        """
        dialect = self.session.get_bind().dialect.name
        maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in sorted(set(keys)):  # one order for every caller: no deadlock between two keys
            self.session.execute(
                maker(LoginThrottleRow)
                .values(key=key, failures=0)
                .on_conflict_do_nothing(index_elements=["key"])
            )
        rows = self.session.scalars(
            select(LoginThrottleRow)
            .where(LoginThrottleRow.key.in_(sorted(set(keys))))
            .order_by(LoginThrottleRow.key)
            .with_for_update()
        )
        return {
            r.key: Attempts(failures=r.failures, last_failure=r.last_failure_at, locked_until=r.locked_until)
            for r in rows
        }

    def save_throttle(self, key: str, state: Attempts) -> None:
        self.session.execute(
            update(LoginThrottleRow)
            .where(LoginThrottleRow.key == key)
            .values(
                failures=state.failures, last_failure_at=state.last_failure, locked_until=state.locked_until
            )
        )


__all__ = [
    "AccountRepository",
    "ApiTokenRow",
    "LoginThrottleRow",
    "SessionRow",
    "UserRow",
]
