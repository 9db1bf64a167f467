"""The mission report for council (issue 17): read the mission as committed, in one transaction,
and build the report (`core.report`); `scheduler.report` renders it as PDF, CSV or XLSX."""

from __future__ import annotations

from scheduler.core.report import Report, build_report
from scheduler.services.context import Services
from scheduler.services.timed_ports import unit


def mission_report(services: Services, mission_id: int) -> Report:
    """The report of the mission as it stands now. Raises `NotFound`."""
    now = services.clock.now()
    with unit(services) as (uow, due):
        mission = uow.mission(mission_id)
        return build_report(mission, uow.meeting_statuses(mission_id), due.action_items(mission_id), now)


__all__ = ["mission_report"]
