"""Missions belong to people: the one check every mission-scoped request goes through.

`require(services, user_id, mission_id, need)` answers `NotFound` to a non-member (so nobody
learns that a mission they may not see exists) and `Forbidden` to a member whose role does not
allow `need` (a viewer's change, an editor managing members). The web's `access` dependency
calls it for every route with a `{mission_id}`; the lists ask `visible_missions`.

Membership changes are the owner's, and a mission always keeps at least one owner.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from scheduler.core.access import ROLES, AuditEntry, Member, Need, Role, allows
from scheduler.errors import ConfigError, Conflict, Forbidden, NotFound
from scheduler.services.context import Services


class MemberUnitOfWork(Protocol):
    def set_member(self, mission_id: int, user_id: int, role: Role, *, now: datetime) -> None: ...
    def remove_member(self, mission_id: int, user_id: int) -> bool: ...
    def role_of(self, mission_id: int, user_id: int) -> str | None: ...
    def members(self, mission_id: int) -> list[Member]: ...
    def missions_of(self, user_id: int) -> list[int]: ...
    def mission_ids(self) -> list[int]: ...
    def lock_mission(self, mission_id: int) -> None: ...
    def audit(self, mission_id: int, meeting_id: str | None = None) -> list[AuditEntry]: ...
    def user_by_email(self, email: str) -> tuple[int, str, str] | None: ...


def _units(services: Services) -> Callable[[], AbstractContextManager[MemberUnitOfWork]]:
    return services.uow  # type: ignore[return-value]  # the store's unit of work has the member methods


def require(services: Services, user_id: int, mission_id: int, need: Need) -> Role:
    """The user's role in the mission when it allows `need`.

    Raises `NotFound` (no such mission, or the user is not a member) or `Forbidden`.
    """
    with _units(services)() as uow:
        role = uow.role_of(mission_id, user_id)
    if role is None:
        raise NotFound(f"no mission with id {mission_id}")  # the words of a mission that does not exist
    if not allows(role, need):
        raise Forbidden(f"a {role} of mission {mission_id} may not do this")
    return role  # type: ignore[return-value]


def visible_missions(services: Services, user_id: int) -> list[int]:
    """Ids of the missions the user is a member of, oldest first."""
    with _units(services)() as uow:
        return uow.missions_of(user_id)


def members(services: Services, mission_id: int) -> list[Member]:
    with _units(services)() as uow:
        return uow.members(mission_id)


def role_value(role: str) -> Role:
    if role not in ROLES:
        raise ConfigError(f"{role!r} is not a role: use one of {', '.join(ROLES)}", "role")
    return role


def set_member(services: Services, mission_id: int, email: str, role: str) -> Member:
    """Give the account with `email` the `role` in the mission (added, or its role changed).

    Raises `ConfigError` (no such account, no such role), `NotFound` (mission), `Conflict`
    (the last owner would stop being one).
    """
    wanted = role_value(role)
    with _units(services)() as uow:
        uow.lock_mission(mission_id)
        found = uow.user_by_email(email.strip().lower())
        if found is None:
            raise ConfigError(
                f"there is no account for {email}: create it first (scheduler user add)", "email"
            )
        user_id, address, _hash = found
        owners = [m for m in uow.members(mission_id) if m.role == "owner"]
        if wanted != "owner" and [m.user_id for m in owners] == [user_id]:
            raise Conflict("a mission keeps at least one owner: make someone else owner first")
        uow.set_member(mission_id, user_id, wanted, now=services.clock.now())
    return Member(user_id=user_id, email=address, role=wanted)


def remove_member(services: Services, mission_id: int, user_id: int) -> None:
    """Take the account out of the mission. Raises `NotFound`, `Conflict` (the last owner)."""
    with _units(services)() as uow:
        uow.lock_mission(mission_id)
        current = uow.members(mission_id)
        if user_id not in {m.user_id for m in current}:
            raise NotFound(f"user {user_id} is not a member of mission {mission_id}")
        if [m.user_id for m in current if m.role == "owner"] == [user_id]:
            raise Conflict("a mission keeps at least one owner: make someone else owner first")
        uow.remove_member(mission_id, user_id)


def audit_trail(services: Services, mission_id: int, meeting_id: str | None = None) -> list[AuditEntry]:
    """Who changed what in the mission (or one meeting), oldest first."""
    with _units(services)() as uow:
        return uow.audit(mission_id, meeting_id)


__all__ = [
    "audit_trail",
    "members",
    "remove_member",
    "require",
    "role_value",
    "set_member",
    "visible_missions",
]
