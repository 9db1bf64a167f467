"""The overlap view: GET /missions/{id}/overlap?p=brown&p=embassy&lang=ja

Hour bands side by side for every zone of the mission, one table per home-zone date, the
common free time of the chosen people highlighted (see `services.overlap_view`). Booked
meetings take their people's time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from scheduler.core.bookings import booked_starts
from scheduler.services.overlap_view import BandCell, default_choice, overlap_view, people_by_zone
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.coordinator_common import Formatter, lang_of, load, page
from scheduler.web.pages.coordinator_i18n import translate

router = APIRouter(include_in_schema=False)


def cell_text(fmt: Formatter, lang: str) -> Callable[[BandCell, str], str]:
    """The exact local times of a band cell, for its title and its visually hidden text."""

    def text(c: BandCell, zone_name: str) -> str:
        parts = [
            f"{fmt.city(zone_name)} {fmt.day(c.local.date())} "
            f"{c.local:%H:%M}–{c.local_end:%H:%M} {c.local.tzname() or ''}".strip()
        ]
        parts += [f"{translate(lang, 'holiday')}: {h}" for h in c.holidays]
        if c.weekend:
            parts.append(translate(lang, "weekend"))
        if c.offset_change:
            parts.append(translate(lang, "clock_change", before=c.offset_change[0], after=c.offset_change[1]))
        if c.common_spans:
            spans = ", ".join(f"{fmt.hm(s, zone_name)}–{fmt.hm(e, zone_name)}" for s, e in c.common_spans)
            parts.append(f"{translate(lang, 'common')}: {spans}")
        return " · ".join(parts)

    return text


def part_style(c: BandCell) -> str:
    """Where in a partly common cell the common time lies, as the percentages its gradient uses."""
    if not c.common_spans:
        return ""
    length = (c.end - c.start).total_seconds()
    first = (c.common_spans[0][0] - c.start).total_seconds() / length
    last = (c.common_spans[-1][1] - c.start).total_seconds() / length
    return f"--from: {first:.0%}; --to: {last:.0%}"


@router.get("/missions/{mission_id}/overlap")
def overlap_page(
    request: Request,
    mission_id: int,
    services: ServicesDep,
    user: UserDep,
    p: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> Response:
    data = load(services, mission_id)
    mission = data.mission
    chosen = tuple(p) if p else default_choice(mission)
    view = overlap_view(mission, chosen, fixed=booked_starts(mission))
    lang = lang_of(request)
    ctx = {
        "user": user,
        "mission": mission,
        "mission_id": mission_id,
        "view": view,
        "groups": people_by_zone(mission),
        "chosen": set(view.chosen),
        "active": "overlap",
        "cell_text": cell_text(Formatter(lang), lang),
        "part_style": part_style,
    }
    return page(request, "overlap.html", ctx, lang=lang)


__all__ = ["cell_text", "part_style", "router"]
