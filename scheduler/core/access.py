"""Who may do what with a mission, and the values the account and audit records are made of.

Pure: roles and what each allows, the audit entry, a token's and a session's public facts.

    allows("viewer", "read") is True;  allows("viewer", "write") is False
    allows("editor", "write") is True; allows("editor", "manage") is False (members are the owner's)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Role = Literal["owner", "editor", "viewer"]
Need = Literal["read", "write", "manage"]
ROLES: tuple[Role, ...] = ("owner", "editor", "viewer")

_ALLOWED: dict[str, frozenset[str]] = {
    "owner": frozenset({"read", "write", "manage"}),
    "editor": frozenset({"read", "write"}),
    "viewer": frozenset({"read"}),
}


def allows(role: str | None, need: Need) -> bool:
    """Whether a member with `role` (None: not a member) may `need` the mission."""
    return role is not None and need in _ALLOWED.get(role, frozenset())


@dataclass(frozen=True, kw_only=True)
class Member:
    user_id: int
    email: str
    role: Role


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One change: when, by whom ("" when no coordinator: a booking link or a timed job), what."""

    at: datetime
    actor: str
    mission_id: int
    meeting_id: str
    action: str  # "created", "changed", "removed"
    entity: str  # "mission", "meeting", "participant", "booking", "proposal", "member"
    key: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class TokenInfo:
    """An API token as its owner may see it (never the token: only its hash is stored)."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SessionInfo:
    user_id: int
    email: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


__all__ = ["ROLES", "AuditEntry", "Member", "Need", "Role", "SessionInfo", "TokenInfo", "allows"]
