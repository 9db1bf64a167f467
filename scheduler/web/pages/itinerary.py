"""The itinerary view and the delegates' subscribable feeds.

    GET /missions/{id}/itinerary?zone=Asia/Tokyo&delegate=brown&lang=ja
        the mission as a week calendar in one zone (the mission's by default), per delegate
    GET /feeds/{id}/{participant}/{key}.ics
        one delegate's (or counterpart's) feed of booked meetings, METHOD:PUBLISH

A calendar fetches a feed without any login, so the feed URL carries a key: an HMAC of the
mission and participant under the app's secret (`coordinator_common.feed_key`). A wrong key
is a 404 that says nothing about whether the participant exists. Only booked meetings are
in a feed: a plan or an option may still change, and a subscriber's calendar would show it
as if it were settled.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from scheduler.ical.feed import build_feed
from scheduler.services.itinerary_view import itinerary_view
from scheduler.services.overlap_view import mission_zones
from scheduler.web.deps import ServicesDep, SignerDep, UserDep
from scheduler.web.pages.coordinator_common import feed_key, lang_of, load, page

router = APIRouter(include_in_schema=False)
feeds = APIRouter(include_in_schema=False)  # outside the members' check: a feed's key is its access


@router.get("/missions/{mission_id}/itinerary")
def itinerary_page(
    request: Request,
    mission_id: int,
    services: ServicesDep,
    signer: SignerDep,
    user: UserDep,
    zone: str = "",
    delegate: str = "",
) -> Response:
    data = load(services, mission_id)
    mission = data.mission
    zones = mission_zones(mission)
    zone = zone if zone in zones else mission.timezone
    delegate = delegate if delegate in {p.id for p in mission.delegates} else ""
    view = itinerary_view(mission, data.statuses, data.proposals, zone_name=zone, delegate=delegate or None)
    base = str(request.base_url).rstrip("/")
    feeds = [
        (d, f"{base}/feeds/{mission_id}/{d.id}/{feed_key(signer, mission_id, d.id)}.ics")
        for d in mission.delegates
        if not delegate or d.id == delegate
    ]
    ctx = {
        "user": user,
        "mission": mission,
        "mission_id": mission_id,
        "view": view,
        "zones": zones,
        "feeds": feeds,
        "hours": list(range(view.first_hour, view.last_hour)),
        "active": "itinerary",
    }
    return page(request, "itinerary.html", ctx, lang=lang_of(request))


@feeds.get("/feeds/{mission_id}/{participant_id}/{key}.ics")
def feed(
    mission_id: int, participant_id: str, key: str, services: ServicesDep, signer: SignerDep
) -> Response:
    if not hmac.compare_digest(key, feed_key(signer, mission_id, participant_id)):
        # Plain text for calendar apps; nothing says whether the mission or the person exists.
        return Response("no such feed\n", status_code=404, media_type="text/plain")
    data = load(services, mission_id)
    mission = data.mission
    booked = [
        (mission.meeting(mid), st.booking.start)
        for mid, st in data.statuses.items()
        if st.state == "booked" and st.booking is not None
    ]
    sequences = {mid: st.booking.sequence for mid, st in data.statuses.items() if st.booking is not None}
    ics = build_feed(mission, participant_id, booked, dtstamp=data.now, sequences=sequences)
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": "inline; filename=itinerary.ics",
        },
    )


__all__ = ["feeds", "router"]
