"""Public shapes built from the services' answers (shared by the routes and the pages)."""

from __future__ import annotations

from datetime import datetime

from scheduler.services.context import Services
from scheduler.web.definitions import document
from scheduler.web.schemas import MeetingPublic, MissionDetail


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def meetings_public(services: Services, mission_id: int) -> list[MeetingPublic]:
    with services.uow() as uow:
        mission = uow.mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
    doc = document(mission)
    tables = {t["id"]: t for t in doc["meetings"]}
    out = []
    for m in mission.meetings:
        st = statuses[m.id]
        out.append(
            MeetingPublic(
                id=m.id,
                title=m.title,
                state=st.state,
                planned_start=st.planned_start,
                booked_start=st.booking.start if st.booking else None,
                definition=tables[m.id],
            )
        )
    return out


def mission_detail(services: Services, mission_id: int) -> MissionDetail:
    with services.uow() as uow:
        mission = uow.mission(mission_id)
    return MissionDetail(
        id=mission_id,
        name=mission.name,
        timezone=mission.timezone,
        start=mission.start,
        end=mission.end,
        definition=document(mission),
        meetings=meetings_public(services, mission_id),
    )
