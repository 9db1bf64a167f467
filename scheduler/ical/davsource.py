"""Busy time from CalDAV (RFC 4791) with the `caldav` library: Nextcloud, iCloud, Radicale, SOGo, Fastmail.

A source is written `caldav+https://user:$NAME@host/path/` (the password named, as for ICS
URLs: `secrets.login_of`). The path may be

* a calendar collection (`…/remote.php/dav/calendars/brown/personal/`): that calendar, or
* a principal (`…/remote.php/dav/principals/users/brown/`, Radicale's `/brown/`): every
  calendar it owns, found through its calendar-home-set (discovery).

Each calendar is asked for the events touching the window with a time-range REPORT, without
server-side expansion, so the server sends whole objects (masters, overrides, VTIMEZONEs) and
the same reader as for files expands them: CalDAV and file imports agree by construction.
`caldav+http://` is allowed (a server on the same host), as the library requires TLS otherwise.
"""

from __future__ import annotations

import logging
from typing import Any

from scheduler.core.intervals import Interval
from scheduler.errors import CalendarError
from scheduler.ical.secrets import login_of, redact

log = logging.getLogger(__name__)

PREFIX = "caldav+"
TIMEOUT = 20  # seconds, per request


def is_caldav(source: str) -> bool:
    return source.lower().startswith((PREFIX + "https://", PREFIX + "http://"))


def read_caldav(source: str, window: Interval) -> bytes:
    """Every calendar object of the CalDAV source touching `window`, as one iCalendar text."""
    import caldav  # imported here: only CalDAV sources need it (and its HTTP stack)
    from caldav.elements import dav

    shown = redact(source)
    login = login_of(source[len(PREFIX) :])
    factory: Any = caldav.DAVClient  # typed loosely by the library (a lazy module attribute)
    try:
        client = factory(
            url=login.url,
            username=login.user,
            password=login.password,
            timeout=TIMEOUT,
            require_tls=login.url.lower().startswith("https://"),
            enable_rfc6764=False,  # the URL is given: no DNS discovery
        )
        with client:
            target = client.calendar(url=login.url)
            kinds = target.get_properties([dav.ResourceType()]).get("{DAV:}resourcetype") or []
            if any(str(k).endswith("}calendar") for k in kinds):
                calendars = [target]
            else:
                calendars = client.principal(url=login.url).calendars()
            texts = [_objects(c, window) for c in calendars]
    except CalendarError:
        raise
    except Exception as exc:  # the library raises its own errors and its HTTP stack's
        raise CalendarError(shown, f"CalDAV: {_describe(exc, login.password)}") from None
    log.debug("read %d CalDAV calendar(s) from %s", len(calendars), shown)
    # An empty calendar is a calendar with nothing in it, not a broken one.
    return ("".join(texts) or "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").encode("utf-8")


def _objects(calendar: Any, window: Interval) -> str:
    found = calendar.search(start=window.start, end=window.end, event=True, expand=False)
    return "".join(obj.data if obj.data.endswith("\n") else obj.data + "\r\n" for obj in found)


def _describe(exc: Exception, password: str | None) -> str:
    text = f"{type(exc).__name__}: {exc}"[:300]
    if password:
        text = text.replace(password, "***")  # never echo it, whatever a library puts in a message
    return text
