"""Fetching an ICS calendar URL: schemes as the major clients read them, credentials by name, conditional GET.

* `https://` and `http://` as written. `webcal://` is the subscription form Apple, Google and
  Outlook publish: they try HTTPS first and fall back to plain HTTP when no TLS connection can
  be made (a server that only speaks HTTP), so do we; `webcals://` is HTTPS only.
* `https://user:$NAME@host/…`: HTTP Basic with the secret NAME (`secrets.secret`). A password
  written in the URL itself is refused (it would sit in the mission file, the database and
  every export); no error or log line ever shows one (`secrets.redact`).
* `etag` / `last_modified` make the request conditional; a 304 answer is `Fetched(304, None…)`.
"""

from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from scheduler.errors import CalendarError
from scheduler.ical.secrets import login_of, redact

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 10.0  # seconds
MAX_BYTES = 50 * 1024 * 1024  # a busy feed larger than this is a mistake, not a calendar
SCHEMES = ("http://", "https://", "webcal://", "webcals://")


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a GET gave: 200 with the body and its validators, or 304 (unchanged, no body)."""

    status: int
    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def is_url(source: str) -> bool:
    return source.lower().startswith(SCHEMES)


def fetch(
    source: str, *, etag: str | None = None, last_modified: str | None = None, timeout: float | None = None
) -> Fetched:
    """GET the calendar at `source` (see the module docstring); CalendarError naming the redacted URL."""
    timeout = FETCH_TIMEOUT if timeout is None else timeout
    shown = redact(source)
    urls, auth = _plan(source)
    headers = {"User-Agent": "mission-scheduler", "Accept": "text/calendar"}
    if auth:
        headers["Authorization"] = auth
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for n, url in enumerate(urls):
        last = n == len(urls) - 1
        try:
            return _get(url, headers, timeout, shown)
        except _Unreachable as exc:
            if last:
                raise CalendarError(shown, f"cannot fetch: {exc}") from None
            log.info("%s: no TLS connection (%s); trying plain HTTP as webcal:// allows", shown, exc)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


class _Unreachable(Exception):
    """No HTTP answer at all (refused, TLS failure, timeout): the next scheme may still work."""


def _plan(source: str) -> tuple[list[str], str | None]:
    """The URLs to try, in order, and the Authorization header value (None without credentials)."""
    parts = urllib.parse.urlsplit(source)
    scheme = parts.scheme.lower()
    schemes = {"webcal": ["https", "http"], "webcals": ["https"]}.get(scheme, [scheme])
    login = login_of(source)
    auth = None
    if login.user is not None:
        token = base64.b64encode(f"{login.user}:{login.password}".encode()).decode("ascii")
        auth = f"Basic {token}"
    bare = urllib.parse.urlsplit(login.url)
    return [urllib.parse.urlunsplit(bare._replace(scheme=s)) for s in schemes], auth


def _get(url: str, headers: dict[str, str], timeout: float, shown: str) -> Fetched:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
            found_etag = response.headers.get("ETag")
            found_modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the open response
        if exc.code == 304:
            return Fetched(304, None, exc.headers.get("ETag"), exc.headers.get("Last-Modified"))
        hint = " (check the user and the secret the URL names)" if exc.code in (401, 403) else ""
        raise CalendarError(shown, f"HTTP {exc.code} {exc.reason}{hint}") from None
    except urllib.error.URLError as exc:
        raise _Unreachable(str(exc.reason)) from None
    except TimeoutError:
        raise _Unreachable(f"no answer within {timeout:g} s") from None
    except OSError as exc:
        raise _Unreachable(str(exc)) from None
    if len(data) > MAX_BYTES:
        raise CalendarError(shown, f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    log.debug("fetched %s (%d bytes)", shown, len(data))
    return Fetched(200, data, found_etag, found_modified)
