"""`create_app(settings)`: the FastAPI application. Nothing is built at import time.

    app = create_app(WebSettings(database_url="sqlite:///var/scheduler.db", secret_key="…"))

The app opens the store (migrating it), builds the `Services` with the real message factory
(invitations and letters are queued in the database outbox), and mounts the API (/api, docs
at /docs) and the pages (/login, /book/{token}).
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from scheduler.ical.sources import LiveBusySource
from scheduler.messages.mail import MailMessages
from scheduler.ports import Clock, SystemClock
from scheduler.services.context import Services
from scheduler.store import Store, open_store
from scheduler.store.editing import app_units
from scheduler.web import errors
from scheduler.web.pages import pages_router
from scheduler.web.routes import api_router
from scheduler.web.security import Signer
from scheduler.web.settings import WebSettings, secret_key
from scheduler.web.webhook_schemas import document_webhooks


def build_services(store: Store, settings: WebSettings, clock: Clock | None = None) -> Services:
    """The use cases' dependencies over `store`; booking links point at `settings.base_url`."""
    service = replace(settings.service, booking_url=settings.base_url.rstrip("/") + "/book/{token}")
    clock = clock or SystemClock()
    return Services(
        uow=app_units(store, clock),
        clock=clock,
        messages=MailMessages(),
        settings=service,
        busy_reader=LiveBusySource(),  # bookings re-read busy sources older than busy_max_age
    )


def create_app(settings: WebSettings, *, store: Store | None = None, clock: Clock | None = None) -> FastAPI:
    """The web app over `store` (opened from `settings.database_url` when not given)."""
    store = store or open_store(settings.database_url)
    if not settings.secret_key:
        settings = replace(settings, secret_key=secret_key())
    app = FastAPI(
        title="Mission scheduler",
        summary="Coordinator API: missions, people, meetings, slot finding, planning, proposals, bookings.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.store = store
    app.state.signer = Signer(settings.secret_key)
    app.state.services = build_services(store, settings, clock)
    errors.install(app)
    document_webhooks(app)  # the webhook bodies' schemas in openapi.json (issue 16)
    app.include_router(api_router())
    app.include_router(pages_router())

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    return app


__all__ = ["build_services", "create_app"]
