"""The main job: serve the web app with outbox delivery running, the demo, and coordinator accounts.

`cli/` stays thin and calls these. Delivery runs in a daemon thread of the serving process:
every `interval` seconds one pass of `DbOutbox.deliver` over SMTP (when `SCHEDULER_SMTP_HOST`
is set) or the Maildir folder var/maildir.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from scheduler.core.intervals import IntervalSet
from scheduler.core.models import Mission, Participant
from scheduler.core.zones import local_date, to_local, wall_to_utc
from scheduler.errors import Conflict
from scheduler.mail.transports import MaildirTransport, SmtpTransport
from scheduler.ports import Clock, Transport
from scheduler.services import import_mission, plan
from scheduler.services.accounts import add_user, issue_api_token
from scheduler.services.proposals import propose_all
from scheduler.store import Store, open_store
from scheduler.web.access_log import uvicorn_log_config
from scheduler.web.app import build_services, create_app
from scheduler.web.settings import WebSettings, secret_key
from scheduler.webhooks import allow_private_from_env

log = logging.getLogger(__name__)


# --- delivery ------------------------------------------------------------------------------------
def transport_from_env(maildir: Path = Path("var/maildir")) -> Transport:
    """SMTP when `SCHEDULER_SMTP_HOST` is set, else the Maildir folder."""
    return SmtpTransport.from_env() or MaildirTransport(maildir)


def serve(
    settings: WebSettings, *, host: str = "127.0.0.1", port: int = 8000, store: Store | None = None
) -> None:
    """Run the web app with uvicorn, the outbox delivered in the background, until interrupted."""
    import uvicorn

    from scheduler.app.jobs import start_service  # timed work and outbox delivery (APScheduler)

    store = store or open_store(settings.database_url)
    jobs = start_service(store, transport_from_env())
    try:
        # The access log would print every booking link's token: it is redacted (web.access_log).
        uvicorn.run(
            create_app(settings, store=store),
            host=host,
            port=port,
            log_level="info",
            log_config=uvicorn_log_config(),
        )
    finally:
        jobs.stop()
        store.close()


# --- accounts ------------------------------------------------------------------------------------
def create_user(
    email: str, password: str, *, database_url: str | None = None, token: bool = False
) -> tuple[str, str]:
    """Create a coordinator account; (email, API token or "")."""
    store = open_store(database_url)
    try:
        services = build_services(store, WebSettings(database_url=database_url))
        user = add_user(services, email, password)
        return user.email, issue_api_token(services, user.id) if token else ""
    finally:
        store.close()


# --- the demo ------------------------------------------------------------------------------------
def weeks_to_shift(mission: Mission, now: datetime, notice: timedelta) -> int:
    """Whole weeks to move the mission so that it starts after `now + notice` (0 when it already does)."""
    earliest = local_date(now + notice, mission.timezone)
    if mission.start > earliest:
        return 0
    return (earliest - mission.start).days // 7 + 1


def _shift_instant(instant: datetime, days: int, zone_name: str) -> datetime:
    # Same wall-clock time in the home zone, `days` later: a week later across a DST change is
    # still 19:00 in Toronto, not 18:00.
    local = to_local(instant, zone_name)
    minute = local.hour * 60 + local.minute
    return wall_to_utc(local.date() + timedelta(days=days), minute, zone_name) + timedelta(
        seconds=local.second, microseconds=local.microsecond
    )


def shift_mission(mission: Mission, weeks: int) -> Mission:
    """The mission moved forward by whole weeks: dates, overrides, fixed starts, busy time."""
    if weeks == 0:
        return mission
    days = 7 * weeks
    delta = timedelta(days=days)

    def day(d: date | None) -> date | None:
        return None if d is None else d + delta

    def person(p: Participant) -> Participant:
        busy = IntervalSet(
            [(_shift_instant(s, days, p.timezone), _shift_instant(e, days, p.timezone)) for s, e in p.busy]
        )
        return replace(p, overrides={d + delta: r for d, r in p.overrides.items()}, busy=busy)

    meetings = tuple(
        replace(
            m,
            not_before=day(m.not_before),
            not_after=day(m.not_after),
            fixed_start=None
            if m.fixed_start is None
            else _shift_instant(m.fixed_start, days, mission.timezone),
        )
        for m in mission.meetings
    )
    return replace(
        mission,
        start=mission.start + delta,
        end=mission.end + delta,
        delegates=tuple(person(p) for p in mission.delegates),
        counterparts=tuple(person(p) for p in mission.counterparts),
        meetings=meetings,
    )


@dataclass(frozen=True, kw_only=True)
class Demo:
    mission_id: int
    weeks_shifted: int
    login: str
    password: str
    links: tuple[tuple[str, str], ...]  # (meeting id, booking link)
    not_proposed: tuple[tuple[str, str], ...]  # (meeting id, why)


def prepare_demo(
    config: Path,
    settings: WebSettings,
    *,
    store: Store,
    clock: Clock | None = None,
    say: Callable[[str], None] = print,
    time_limit: float = 10.0,
) -> Demo:
    """Import the sample mission (moved to its next future occurrence when its dates have passed),
    plan it, propose every meeting with a counterpart, and create a coordinator login."""
    from scheduler.mission.reader import load_mission

    services = build_services(store, settings, clock)
    now = services.clock.now()
    mission = load_mission(config)
    weeks = weeks_to_shift(mission, now, services.settings.min_notice)
    if weeks:
        shifted = shift_mission(mission, weeks)
        say(
            f"The sample mission's dates have passed: moved forward {weeks} weeks, "
            f"from {mission.start:%a %d %b %Y} to {shifted.start:%a %d %b %Y}."
        )
        mission = shifted
    email = "coordinator@example.org"
    password = secrets.token_urlsafe(12)
    try:
        user = add_user(services, email, password)
    except Conflict:
        email = f"coordinator-{secrets.token_hex(3)}@example.org"
        user = add_user(services, email, password)
    mission_id = import_mission(services, mission, source=str(config), owner=user.id)
    say(f"Imported {mission.name!r} as mission {mission_id}; planning…")
    result = plan(services, mission_id, time_limit=time_limit)
    say(f"Plan: {result.status}, {len(result.meetings)} meetings placed, {len(result.unscheduled)} not.")
    # Every meeting's options are chosen together, so that no counterpart's pick takes another's.
    batch = propose_all(services, mission_id)
    links = [(c.proposal.meeting_id, c.link) for c in batch.created]
    skipped = list(batch.skipped)
    return Demo(
        mission_id=mission_id,
        weeks_shifted=weeks,
        login=email,
        password=password,
        links=tuple(links),
        not_proposed=tuple(skipped),
    )


def demo_settings(database_url: str | None, base_url: str) -> WebSettings:
    return WebSettings(
        database_url=database_url,
        secret_key=secret_key(),
        base_url=base_url,
        webhooks_allow_private=allow_private_from_env(),
    )


__all__ = [
    "Demo",
    "create_user",
    "demo_settings",
    "prepare_demo",
    "serve",
    "shift_mission",
    "transport_from_env",
    "weeks_to_shift",
]
