"""What the web app is built from. Nothing here reads the environment at import time."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.services.context import Settings

SECRET_ENV = "SCHEDULER_SECRET_KEY"


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    """`database_url` None: `SCHEDULER_DATABASE_URL`, else ./var/scheduler.db.

    `secret_key` signs CSRF tokens and feed keys; `base_url` is where booking links point.
    Cookies are `Secure` whenever `base_url` is https (or `secure_cookies` says so), so a browser
    never sends them over plain HTTP. A page session ends `session_idle_minutes` after its last
    use or `session_hours` after the login, whichever comes first.
    """

    database_url: str | None = None
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    service: Settings = field(default_factory=Settings)
    session_hours: int = 12
    session_idle_minutes: int = 120
    secure_cookies: bool = False
    webhooks_allow_private: bool = False  # SCHEDULER_WEBHOOKS_ALLOW_PRIVATE: webhook URLs on this network

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry `Secure`: behind an https base URL, or when asked."""
        return self.secure_cookies or self.base_url.strip().lower().startswith("https://")


def secret_key(var_dir: Path = Path("var")) -> str:
    """`SCHEDULER_SECRET_KEY`, else a key kept in var/secret_key (created once, mode 0600)."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(key)
    return key


__all__ = ["SECRET_ENV", "WebSettings", "secret_key"]
