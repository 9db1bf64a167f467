"""Coordinator accounts: users (scrypt password hashes) and API tokens (sha256 of the token).

Tables of the web service's own, on the store's declarative `Base` (migration 0002). Sessions
are not stored: the page cookie is signed (see `scheduler.web.security`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class AccountRepository:
    """The account methods of the unit of work (mixed into `scheduler.store.editing.AppUnitOfWork`)."""

    session: Session

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

    def set_password(self, user_id: int, password_hash: str) -> None:
        row = self.session.get(UserRow, user_id)
        if row is not None:
            row.password_hash = password_hash
            self.session.flush()

    def add_api_token(self, user_id: int, token_hash: str, *, now: datetime) -> None:
        self.session.add(ApiTokenRow(user_id=user_id, token_hash=token_hash, created_at=now))
        self.session.flush()

    def user_by_token_hash(self, token_hash: str) -> tuple[int, str] | None:
        """(id, email) of the token's owner, or None."""
        row = self.session.execute(
            select(UserRow.id, UserRow.email)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_hash == token_hash)
        ).first()
        return None if row is None else (row[0], row[1])


__all__ = ["AccountRepository", "ApiTokenRow", "UserRow"]
