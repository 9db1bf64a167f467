"""APScheduler 3 wiring of the timed work. Thin: each job takes an id and calls one service.

    runtime = Runtime(store=store, services=services, transport=transport)
    jobs = start(runtime)          # a BackgroundScheduler: sweep, due work, outbox delivery
    ...
    jobs.stop()

The database is the durable truth (`store.due`, `store.outbox`); APScheduler only decides
when to look, and its job store is the in-memory one: every process registers the same jobs
with fixed ids (`replace_existing=True`, `timezone=UTC`), each job runs at once on start (so
work that fell due while the service was down is done now) and then every few seconds. Jobs
are module-level functions taking the runtime's id, so they are idempotent by construction:
running one twice finds nothing left to do the second time. Several processes on one
PostgreSQL share the work through row claims, not through APScheduler.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from scheduler.errors import ConfigError, Problem, SchedulerError
from scheduler.messages.timed import TimedMail
from scheduler.ports import Clock, DeliveryReport, SystemClock, Transport
from scheduler.services.busy_refresh import refresh_busy
from scheduler.services.context import Services
from scheduler.services.negotiation import notify_unsent, recover_missed
from scheduler.services.timed import RunReport, TimedMessages, run_due, sweep
from scheduler.store import Store
from scheduler.webhooks import HttpWebhookSender

log = logging.getLogger(__name__)

SWEEP_JOB = "timed-sweep"
DUE_JOB = "timed-due-work"
OUTBOX_JOB = "outbox-delivery"
BUSY_JOB = "busy-refresh"
WEBHOOK_JOB = "webhook-delivery"
JOB_IDS = (SWEEP_JOB, DUE_JOB, OUTBOX_JOB, BUSY_JOB, WEBHOOK_JOB)
# Busy sources every 15 minutes: published Outlook/Google calendars change no faster than that,
# and a booking re-reads anything older than `Settings.busy_max_age` anyway.
INTERVALS = {SWEEP_JOB: 300.0, DUE_JOB: 30.0, OUTBOX_JOB: 10.0, BUSY_JOB: 900.0, WEBHOOK_JOB: 5.0}
INTERVALS_ENV = "SCHEDULER_JOB_INTERVALS"


def intervals_from_env(environ: Mapping[str, str] | None = None) -> dict[str, float]:
    """The job intervals of `SCHEDULER_JOB_INTERVALS`, over the defaults.

    `5` sets every job to 5 s; `outbox-delivery=2,timed-due-work=5` sets those two. Shorter
    intervals make mail go sooner after it falls due (and are how the tests run real `serve`
    processes in seconds); the database claims keep the work done once whatever they are.
    """
    text = (os.environ if environ is None else environ).get(INTERVALS_ENV, "").strip()
    every = dict(INTERVALS)
    if not text:
        return every
    problems: list[Problem] = []
    parts = [p.strip() for p in text.split(",") if p.strip()]
    for part in parts:
        name, sep, value = part.rpartition("=")
        targets = [name.strip()] if sep else list(JOB_IDS)
        if sep and name.strip() not in JOB_IDS:
            problems.append(
                Problem(INTERVALS_ENV, f"no job {name.strip()!r}; the jobs are {', '.join(JOB_IDS)}")
            )
            continue
        try:
            seconds = float(value)
        except ValueError:
            seconds = float("nan")
        if not (math.isfinite(seconds) and 0 < seconds <= 86_400):
            problems.append(
                Problem(INTERVALS_ENV, f"{value.strip()!r} is not a number of seconds in (0, 86400]")
            )
            continue
        every.update(dict.fromkeys(targets, seconds))
    if problems:
        raise ConfigError(problems)
    return every


@dataclass(kw_only=True)
class Runtime:
    """What the jobs of one process work with. `services.clock` is the clock they read."""

    store: Store
    services: Services
    transport: Transport
    messages: TimedMessages = field(default_factory=TimedMail)
    webhooks: HttpWebhookSender | None = None  # None: webhooks stay queued (issue 16)
    # One pass at a time per process: the sweep, the due work and the delivery never overlap
    # inside a process (across processes the database claims keep them apart).
    lock: threading.Lock = field(default_factory=threading.Lock)


_RUNTIMES: dict[str, Runtime] = {}
_NEXT = itertools.count(1)


def register(runtime: Runtime) -> str:
    """Make `runtime` reachable by the jobs; its id."""
    runtime_id = f"runtime-{next(_NEXT)}"
    _RUNTIMES[runtime_id] = runtime
    return runtime_id


def _runtime(runtime_id: str) -> Runtime:
    return _RUNTIMES[runtime_id]


# --- the jobs: module-level, take an id, call one service ------------------------------------------
def sweep_job(runtime_id: str) -> int:
    """Write due work no transaction wrote (nudges, expiries, digests, old bookings' reminders), and
    give new times to proposals whose recovery after a booking was missed (a crash between the two)."""
    rt = _runtime(runtime_id)
    with rt.lock:
        added = sweep(rt.services)
        recover_missed(rt.services)
        notify_unsent(rt.services)
        return added


def due_work_job(runtime_id: str) -> RunReport:
    """Do the work that is due: reminders, follow-ups, nudges, expiries, digests (queued in the outbox)."""
    rt = _runtime(runtime_id)
    with rt.lock:
        return run_due(rt.services, rt.messages)


def outbox_job(runtime_id: str) -> DeliveryReport:
    """Deliver the outbox: every message due is handed to the transport."""
    rt = _runtime(runtime_id)
    with rt.lock:
        return rt.store.outbox().deliver(rt.transport, now=rt.services.clock.now())


def busy_refresh_job(runtime_id: str) -> int:
    """Re-read every mission's busy sources (conditional GETs); how many sources failed."""
    rt = _runtime(runtime_id)
    reader = rt.services.busy_reader
    if reader is None:
        return 0
    failed = 0
    with rt.services.uow() as uow:
        missions = uow.mission_ids()
    for mission_id in missions:  # not under rt.lock: reads wait on the network, not on the database
        try:
            failed += refresh_busy(rt.services, reader, mission_id).failed
        except SchedulerError as exc:  # one mission's trouble must not stop the others'
            log.warning("busy refresh of mission %d: %s", mission_id, exc)
    return failed


def webhook_job(runtime_id: str) -> DeliveryReport:
    """Post the webhooks that are due, by webhook-id. Not under `rt.lock`: a slow receiver must not
    hold up the mail, and the deliveries' leases keep two passes apart."""
    rt = _runtime(runtime_id)
    if rt.webhooks is None:
        return DeliveryReport()
    return rt.store.webhooks(lease=rt.webhooks.lease).deliver(rt.webhooks, rt.services.clock)


@dataclass(frozen=True, kw_only=True)
class PassReport:
    added: int
    run: RunReport
    delivered: DeliveryReport
    webhooks: DeliveryReport = field(default_factory=DeliveryReport)  # by webhook-id


def run_once(runtime: Runtime) -> PassReport:
    """One full pass, in order: sweep, due work, mail, webhooks (`scheduler jobs --run-once`, and tests)."""
    runtime_id = register(runtime)
    try:
        added = sweep_job(runtime_id)
        run = due_work_job(runtime_id)
        delivered = outbox_job(runtime_id)
        webhooks = webhook_job(runtime_id)
    finally:
        _RUNTIMES.pop(runtime_id, None)
    return PassReport(added=added, run=run, delivered=delivered, webhooks=webhooks)


@dataclass(frozen=True)
class Jobs:
    """A started scheduler and the id its jobs pass around."""

    scheduler: BackgroundScheduler
    runtime_id: str

    def stop(self) -> None:
        """Stop the jobs, waiting for a running one to finish (its transaction commits or rolls back)."""
        self.scheduler.shutdown(wait=True)
        _RUNTIMES.pop(self.runtime_id, None)


def start(runtime: Runtime, *, intervals: dict[str, float] | None = None) -> Jobs:
    """Start a BackgroundScheduler running the jobs; each runs at once, then every interval."""
    runtime_id = register(runtime)
    every = {**INTERVALS, **(intervals or {})}
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    first = datetime.now(UTC)  # APScheduler's own trigger time, not the services' clock
    jobs: dict[str, Any] = {
        SWEEP_JOB: sweep_job,
        DUE_JOB: due_work_job,
        OUTBOX_JOB: outbox_job,
        BUSY_JOB: busy_refresh_job,
        WEBHOOK_JOB: webhook_job,
    }
    for job_id, func in jobs.items():
        scheduler.add_job(
            func,
            "interval",
            seconds=every[job_id],
            args=[runtime_id],
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=first,
            misfire_grace_time=None,
        )
    scheduler.start()
    return Jobs(scheduler, runtime_id)


__all__ = [
    "BUSY_JOB",
    "DUE_JOB",
    "INTERVALS",
    "INTERVALS_ENV",
    "JOB_IDS",
    "OUTBOX_JOB",
    "SWEEP_JOB",
    "WEBHOOK_JOB",
    "Jobs",
    "PassReport",
    "Runtime",
    "busy_refresh_job",
    "due_work_job",
    "intervals_from_env",
    "outbox_job",
    "register",
    "run_once",
    "service_runtime",
    "start",
    "start_service",
    "sweep_job",
    "webhook_job",
]


def service_runtime(store: Store, transport: Transport, clock: Clock | None = None) -> Runtime:
    """The runtime of a service process over `store`: the real letters, the wall clock unless told."""
    from scheduler.ical.sources import LiveBusySource
    from scheduler.messages.mail import MailMessages

    services = Services(
        uow=store.unit_of_work,
        clock=clock or SystemClock(),
        messages=MailMessages(),
        busy_reader=LiveBusySource(),
    )
    return Runtime(store=store, services=services, transport=transport, webhooks=HttpWebhookSender.from_env())


def start_service(store: Store, transport: Transport, clock: Clock | None = None) -> Jobs:
    """Start the timed work and the outbox delivery of a `scheduler serve` process.

    The intervals are the defaults unless `SCHEDULER_JOB_INTERVALS` says otherwise
    (`intervals_from_env`); a bad value is a `ConfigError` before anything starts.
    """
    intervals = intervals_from_env()
    return start(service_runtime(store, transport, clock), intervals=intervals)
