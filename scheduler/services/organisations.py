"""Organisations remember (issue 17): a counterpart organisation's history across missions.

Reads every mission's report (`core.report`, one transaction) and gathers what each did with
the organisation (`core.organisations`), so a second mission starts from what the first left.
"""

from __future__ import annotations

from collections.abc import Collection

from scheduler.core.organisations import OrgHistory, history, known
from scheduler.core.report import Report, build_report
from scheduler.errors import NotFound
from scheduler.services.context import Services
from scheduler.services.timed_ports import unit


def _reports(services: Services, missions: Collection[int] | None) -> list[tuple[int, Report]]:
    now = services.clock.now()
    with unit(services) as (uow, due):
        return [
            (mid, build_report(uow.mission(mid), uow.meeting_statuses(mid), due.action_items(mid), now))
            for mid in due.mission_ids()
            if missions is None or mid in missions
        ]


def organisation_history(
    services: Services, key: str, *, missions: Collection[int] | None = None
) -> OrgHistory:
    """The organisation's meetings, items and next step in every mission (of `missions` when
    given: the ones the coordinator may see). Raises `NotFound`."""
    found = history(key, _reports(services, missions), services.clock.now())
    if found is None:
        raise NotFound(f"no organisation {key!r} in any mission")
    return found


def organisations(
    services: Services, *, missions: Collection[int] | None = None
) -> list[tuple[str, str, int]]:
    """(key, name, number of missions) of every counterpart organisation (in `missions`), by name."""
    return known(_reports(services, missions))


__all__ = ["organisation_history", "organisations"]
