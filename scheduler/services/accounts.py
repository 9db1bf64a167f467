"""Coordinator accounts: create a user, check a password, issue and resolve API tokens.

Passwords are hashed with scrypt (hashlib, RFC 7914; n=2**14, r=8, p=1, 16-byte salt) and
stored as `scrypt$n$r$p$salt$hash`; API tokens are 256 random bits shown once, stored as sha256.
The unit of work must offer the account methods of `AccountUnitOfWork`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from scheduler.core.access import SessionInfo, TokenInfo
from scheduler.core.throttle import Attempts
from scheduler.errors import ConfigError, NotFound
from scheduler.services.context import Services, token_hash

_N, _R, _P = 2**14, 8, 1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class AccountUnitOfWork(Protocol):
    def add_user(self, email: str, password_hash: str, *, now: datetime) -> int: ...
    def user_by_email(self, email: str) -> tuple[int, str, str] | None: ...
    def user_email(self, user_id: int) -> str | None: ...
    def set_password(self, user_id: int, password_hash: str) -> None: ...
    def add_api_token(
        self, user_id: int, token_hash: str, *, now: datetime, expires_at: datetime, name: str = ""
    ) -> int: ...
    def user_by_token_hash(self, token_hash: str, *, now: datetime) -> tuple[int, str] | None: ...
    def api_tokens(self, user_id: int) -> list[TokenInfo]: ...
    def revoke_api_token(self, user_id: int, token_id: int, *, now: datetime) -> bool: ...
    def add_session(self, id_hash: str, user_id: int, *, now: datetime, expires_at: datetime) -> None: ...
    def session_info(self, id_hash: str) -> SessionInfo | None: ...
    def touch_session(self, id_hash: str, *, now: datetime) -> None: ...
    def end_session(self, id_hash: str) -> None: ...
    def end_sessions(self, user_id: int) -> int: ...
    def lock_throttle(self, keys: Sequence[str]) -> dict[str, Attempts]: ...
    def save_throttle(self, key: str, state: Attempts) -> None: ...


@dataclass(frozen=True, kw_only=True)
class User:
    id: int
    email: str


def _units(services: Services) -> Callable[[], AbstractContextManager[AccountUnitOfWork]]:
    return services.uow  # type: ignore[return-value]  # the web's unit of work has the account methods


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The scrypt hash of `password` in the stored form `scrypt$n$r$p$salt$hash` (base64)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ConfigError(f"{email!r} is not an email address", "email")
    return email


def add_user(services: Services, email: str, password: str) -> User:
    """Create an account. Raises `ConfigError` (bad email, short password), `Conflict` (exists)."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters", "password")
    with _units(services)() as uow:
        user_id = uow.add_user(email, hash_password(password), now=services.clock.now())
    return User(id=user_id, email=email)


def authenticate(services: Services, email: str, password: str) -> User | None:
    """The user when the email and password match, else None."""
    try:
        email = normalise_email(email)
    except ConfigError:
        return None
    with _units(services)() as uow:
        found = uow.user_by_email(email)
    if found is None:
        hash_password(password)  # spend the same time, so timing does not tell which emails exist
        return None
    user_id, address, stored = found
    return User(id=user_id, email=address) if verify_password(password, stored) else None


TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366


def issue_api_token(services: Services, user_id: int, *, name: str = "", days: int = TOKEN_DAYS) -> str:
    """A new API token for the user, valid `days` days (shown once; only its sha256 is stored)."""
    name = name.strip()
    if len(name) > 100:
        raise ConfigError("a token's name has at most 100 characters", "name")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ConfigError(f"a token lives from 1 to {MAX_TOKEN_DAYS} days", "days")
    token = secrets.token_urlsafe(32)
    now = services.clock.now()
    with _units(services)() as uow:
        uow.add_api_token(
            user_id, token_hash(token), now=now, expires_at=now + timedelta(days=days), name=name
        )
    return token


def api_tokens(services: Services, user_id: int) -> list[TokenInfo]:
    """The user's tokens, live or not (names and dates; never the tokens themselves)."""
    with _units(services)() as uow:
        return uow.api_tokens(user_id)


def revoke_api_token(services: Services, user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens at once. Raises `NotFound` (not the user's token)."""
    with _units(services)() as uow:
        if not uow.revoke_api_token(user_id, token_id, now=services.clock.now()):
            raise NotFound(f"no token {token_id}")


def user_for_token(services: Services, token: str) -> User | None:
    """The owner of API token `token` when it is neither expired nor revoked, else None."""
    with _units(services)() as uow:
        found = uow.user_by_token_hash(token_hash(token), now=services.clock.now())
    return None if found is None else User(id=found[0], email=found[1])


def change_password(services: Services, user_id: int, password: str) -> int:
    """Set a new password and end every page session of the user; how many sessions ended."""
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters", "password")
    with _units(services)() as uow:
        uow.set_password(user_id, hash_password(password))
        return uow.end_sessions(user_id)


def user_by_id(services: Services, user_id: int) -> User | None:
    with _units(services)() as uow:
        email = uow.user_email(user_id)
    return None if email is None else User(id=user_id, email=email)


__all__ = [
    "User",
    "add_user",
    "api_tokens",
    "authenticate",
    "change_password",
    "hash_password",
    "issue_api_token",
    "revoke_api_token",
    "user_by_id",
    "user_for_token",
    "verify_password",
]
