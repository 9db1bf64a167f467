"""Editing a stored mission's definition (people, meetings, resources) from the coordinator API.

The edge turns a request into a whole validated `Mission` (the mission-file reader names every
bad field); this use case stores it in one transaction, under the mission's lock, keeping
every meeting's bookings, proposals and state. The unit of work must offer `EditingUnitOfWork`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from scheduler.core.models import Mission
from scheduler.services.context import Services


class EditingUnitOfWork(Protocol):
    def lock_mission(self, mission_id: int) -> None: ...
    def mission(self, mission_id: int) -> Mission: ...
    def replace_definition(self, mission_id: int, mission: Mission) -> None: ...
    def delete_mission(self, mission_id: int) -> None: ...


def _units(services: Services) -> Callable[[], AbstractContextManager[EditingUnitOfWork]]:
    return services.uow  # type: ignore[return-value]  # the web's unit of work has the edit methods


def save_definition(services: Services, mission_id: int, mission: Mission) -> Mission:
    """Store `mission` as the definition of mission `mission_id`; the stored mission afterwards.

    Raises `NotFound`, `Conflict` (a booked meeting would be removed).
    """
    with _units(services)() as uow:
        uow.lock_mission(mission_id)
        uow.replace_definition(mission_id, mission)
        return uow.mission(mission_id)


def delete_mission(services: Services, mission_id: int) -> None:
    """Delete the mission with its meetings, bookings, proposals. Raises `NotFound`."""
    with _units(services)() as uow:
        uow.lock_mission(mission_id)
        uow.delete_mission(mission_id)


__all__ = ["delete_mission", "save_definition"]
