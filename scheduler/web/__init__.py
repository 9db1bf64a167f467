"""The web service: the coordinator API (JSON, /docs) and the pages (login, booking links)."""

from scheduler.web.app import build_services, create_app
from scheduler.web.settings import WebSettings

__all__ = ["WebSettings", "build_services", "create_app"]
