"""Credentials for calendar sources, looked up by name: never written in the mission file.

A source names its secret (`https://brown:$BROWN_CAL@cal.example.org/…`, or a CalDAV source's
`password = "$BROWN_CAL"`); the value comes from the environment variable of that name, else
from the secrets file named by `SCHEDULER_SECRETS_FILE` (TOML: `BROWN_CAL = "…"`, readable by
the service account only). Values are never logged, printed or exported: errors name the
secret, and `redact` takes any password out of a URL before it is shown.
"""

from __future__ import annotations

import os
import tomllib
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from scheduler.errors import CalendarError

SECRETS_FILE_VARIABLE = "SCHEDULER_SECRETS_FILE"


class MissingSecret(LookupError):
    """The named secret is in neither the environment nor the secrets file (message: no value)."""


def secret(name: str) -> str:
    """The value of the secret `name` (see the module docstring); MissingSecret if none."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise MissingSecret(f"bad secret name {name!r} (letters, digits, _ and -)")
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(SECRETS_FILE_VARIABLE)
    if path:
        try:
            with Path(path).open("rb") as fp:
                found = tomllib.load(fp).get(name)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            # The file's content is not quoted: a TOML error may show part of a line.
            raise MissingSecret(f"cannot read the secrets file {path}: {type(exc).__name__}") from None
        if isinstance(found, str) and found:
            return found
    where = f"the environment or {path}" if path else f"the environment ({SECRETS_FILE_VARIABLE} is unset)"
    raise MissingSecret(f"secret {name!r} is not in {where}")


def redact(url: str) -> str:
    """`url` with any password replaced by `***` (a `$NAME` reference is kept: it is no secret)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if parts.password is None or parts.password.startswith("$"):
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


class Login(NamedTuple):
    """A URL without its user information, and the user and password it named (or None)."""

    url: str
    user: str | None
    password: str | None


def login_of(url: str) -> Login:
    """Split `https://user:$NAME@host/…` into the bare URL, the user and the secret NAME's value.

    A password written in the URL itself is refused (CalendarError naming the redacted URL),
    as is a secret that cannot be found; neither error shows a password.
    """
    shown = redact(url)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    bare = urllib.parse.urlunsplit(parts._replace(netloc=host))
    if parts.username is None:
        return Login(bare, None, None)
    password = urllib.parse.unquote(parts.password or "")
    if not password.startswith("$"):
        raise CalendarError(
            shown,
            "the URL holds a password: keep it in the environment or the secrets file and "
            "write user:$NAME@ instead (see README, 'Busy calendars')",
        )
    try:
        value = secret(password[1:])
    except MissingSecret as exc:
        raise CalendarError(shown, str(exc)) from None
    return Login(bare, urllib.parse.unquote(parts.username), value)
