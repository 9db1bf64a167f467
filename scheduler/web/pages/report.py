"""The mission report for council, downloaded from the overview page (issue 17).

    GET /missions/{id}/report.pdf | .xlsx | .csv | .html

Built from the mission as committed now (`services.report`), rendered by `scheduler.report`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from scheduler.errors import NotFound
from scheduler.report import FORMATS, MEDIA_TYPES, render
from scheduler.services.report import mission_report
from scheduler.web.deps import ServicesDep, UserDep

router = APIRouter(include_in_schema=False)


@router.get("/missions/{mission_id}/report.{fmt}")
def report_file(mission_id: int, fmt: str, services: ServicesDep, _user: UserDep) -> Response:
    if fmt not in FORMATS:
        raise NotFound(f"no report format {fmt!r}: one of {', '.join(FORMATS)}")
    report = mission_report(services, mission_id)
    body = render(report, fmt)
    headers = (
        {}
        if fmt == "html"
        else {"Content-Disposition": f'attachment; filename="mission-{mission_id}-report.{fmt}"'}
    )
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


__all__ = ["router"]
