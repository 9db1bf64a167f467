"""TZID parameter values → IANA zone names, so every wall time goes through `core.zones.wall_to_utc`.

Calendars name zones in several ways; `resolve_tzid` tries, in order:

1. an IANA name (`America/Toronto`), as Google, Apple and Thunderbird write, or a legacy name
   that tzdata still carries as a link (`Japan`, `GMT`, `Singapore`, `EST`, `CET`), mapped to
   the zone it links to (`Asia/Tokyo`, `Etc/GMT`, …); backslash escapes in a TZID
   (`Kuala Lumpur\\, Singapore`, as Outlook writes) are undone first;
2. a Windows name (`Eastern Standard Time`, `Tokyo Standard Time`) or an Outlook display name
   (`(UTC+09:00) Osaka, Sapporo, Tokyo`), mapped with CLDR's windowsZones table ("001" rows);
3. a name that ends in an IANA name (`/mozilla.org/20050126_1/America/Toronto`);
4. a custom name that only the file's own VTIMEZONE defines. The embedded definition is
   honoured: it is read (with `dateutil.tz.tzical`) and compared, instant by instant over the
   requested window, with the IANA zones; the first zone that agrees on every UTC offset and
   every transition minute is used. When none agrees (an old or invented rule: Lotus
   "Western/Central Europe", a Fiji zone before its rules changed), the file's own rules are
   used, as Outlook and Thunderbird do (`wallclock.register_custom`).

For a known IANA or Windows name the IANA database wins over an embedded VTIMEZONE (as in
Outlook, Google and the `icalendar` library): exports often carry stale or abridged definitions.
"""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import available_timezones

from dateutil.tz import tzical

from scheduler.core.intervals import Interval
from scheduler.core.zones import zone
from scheduler.errors import CalendarError
from scheduler.ical.contentlines import ContentLine, unescape_text
from scheduler.ical.wallclock import CUSTOM_PREFIX, register_custom

# CLDR windowsZones.xml, territory "001": the zone Windows means by each name.
WINDOWS_ZONES: dict[str, str] = {
    "Dateline Standard Time": "Etc/GMT+12",
    "UTC-11": "Etc/GMT+11",
    "Aleutian Standard Time": "America/Adak",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Marquesas Standard Time": "Pacific/Marquesas",
    "Alaskan Standard Time": "America/Anchorage",
    "UTC-09": "Etc/GMT+9",
    "Pacific Standard Time (Mexico)": "America/Tijuana",
    "UTC-08": "Etc/GMT+8",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time (Mexico)": "America/Mazatlan",
    "Mountain Standard Time": "America/Denver",
    "Yukon Standard Time": "America/Whitehorse",
    "Central America Standard Time": "America/Guatemala",
    "Central Standard Time": "America/Chicago",
    "Easter Island Standard Time": "Pacific/Easter",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota",
    "Eastern Standard Time (Mexico)": "America/Cancun",
    "Eastern Standard Time": "America/New_York",
    "Haiti Standard Time": "America/Port-au-Prince",
    "Cuba Standard Time": "America/Havana",
    "US Eastern Standard Time": "America/Indiana/Indianapolis",
    "Turks And Caicos Standard Time": "America/Grand_Turk",
    "Paraguay Standard Time": "America/Asuncion",
    "Atlantic Standard Time": "America/Halifax",
    "Venezuela Standard Time": "America/Caracas",
    "Central Brazilian Standard Time": "America/Cuiaba",
    "SA Western Standard Time": "America/La_Paz",
    "Pacific SA Standard Time": "America/Santiago",
    "Newfoundland Standard Time": "America/St_Johns",
    "Tocantins Standard Time": "America/Araguaina",
    "E. South America Standard Time": "America/Sao_Paulo",
    "SA Eastern Standard Time": "America/Cayenne",
    "Argentina Standard Time": "America/Argentina/Buenos_Aires",
    "Greenland Standard Time": "America/Nuuk",
    "Montevideo Standard Time": "America/Montevideo",
    "Magallanes Standard Time": "America/Punta_Arenas",
    "Saint Pierre Standard Time": "America/Miquelon",
    "Bahia Standard Time": "America/Bahia",
    "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores",
    "Cape Verde Standard Time": "Atlantic/Cape_Verde",
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Sao Tome Standard Time": "Africa/Sao_Tome",
    "Morocco Standard Time": "Africa/Casablanca",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "Jordan Standard Time": "Asia/Amman",
    "GTB Standard Time": "Europe/Bucharest",
    "Middle East Standard Time": "Asia/Beirut",
    "Egypt Standard Time": "Africa/Cairo",
    "E. Europe Standard Time": "Europe/Chisinau",
    "Syria Standard Time": "Asia/Damascus",
    "West Bank Standard Time": "Asia/Hebron",
    "South Africa Standard Time": "Africa/Johannesburg",
    "FLE Standard Time": "Europe/Kyiv",
    "Israel Standard Time": "Asia/Jerusalem",
    "South Sudan Standard Time": "Africa/Juba",
    "Kaliningrad Standard Time": "Europe/Kaliningrad",
    "Sudan Standard Time": "Africa/Khartoum",
    "Libya Standard Time": "Africa/Tripoli",
    "Namibia Standard Time": "Africa/Windhoek",
    "Arabic Standard Time": "Asia/Baghdad",
    "Turkey Standard Time": "Europe/Istanbul",
    "Arab Standard Time": "Asia/Riyadh",
    "Belarus Standard Time": "Europe/Minsk",
    "Russian Standard Time": "Europe/Moscow",
    "E. Africa Standard Time": "Africa/Nairobi",
    "Volgograd Standard Time": "Europe/Volgograd",
    "Iran Standard Time": "Asia/Tehran",
    "Arabian Standard Time": "Asia/Dubai",
    "Astrakhan Standard Time": "Europe/Astrakhan",
    "Azerbaijan Standard Time": "Asia/Baku",
    "Russia Time Zone 3": "Europe/Samara",
    "Mauritius Standard Time": "Indian/Mauritius",
    "Saratov Standard Time": "Europe/Saratov",
    "Georgian Standard Time": "Asia/Tbilisi",
    "Caucasus Standard Time": "Asia/Yerevan",
    "Afghanistan Standard Time": "Asia/Kabul",
    "West Asia Standard Time": "Asia/Tashkent",
    "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
    "Pakistan Standard Time": "Asia/Karachi",
    "Qyzylorda Standard Time": "Asia/Qyzylorda",
    "India Standard Time": "Asia/Kolkata",
    "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Central Asia Standard Time": "Asia/Bishkek",
    "Bangladesh Standard Time": "Asia/Dhaka",
    "Omsk Standard Time": "Asia/Omsk",
    "Myanmar Standard Time": "Asia/Yangon",
    "SE Asia Standard Time": "Asia/Bangkok",
    "Altai Standard Time": "Asia/Barnaul",
    "W. Mongolia Standard Time": "Asia/Hovd",
    "North Asia Standard Time": "Asia/Krasnoyarsk",
    "N. Central Asia Standard Time": "Asia/Novosibirsk",
    "Tomsk Standard Time": "Asia/Tomsk",
    "China Standard Time": "Asia/Shanghai",
    "North Asia East Standard Time": "Asia/Irkutsk",
    "Singapore Standard Time": "Asia/Singapore",
    "W. Australia Standard Time": "Australia/Perth",
    "Taipei Standard Time": "Asia/Taipei",
    "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
    "Aus Central W. Standard Time": "Australia/Eucla",
    "Transbaikal Standard Time": "Asia/Chita",
    "Tokyo Standard Time": "Asia/Tokyo",
    "North Korea Standard Time": "Asia/Pyongyang",
    "Korea Standard Time": "Asia/Seoul",
    "Yakutsk Standard Time": "Asia/Yakutsk",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "West Pacific Standard Time": "Pacific/Port_Moresby",
    "Tasmania Standard Time": "Australia/Hobart",
    "Vladivostok Standard Time": "Asia/Vladivostok",
    "Lord Howe Standard Time": "Australia/Lord_Howe",
    "Bougainville Standard Time": "Pacific/Bougainville",
    "Russia Time Zone 10": "Asia/Srednekolymsk",
    "Magadan Standard Time": "Asia/Magadan",
    "Norfolk Standard Time": "Pacific/Norfolk",
    "Sakhalin Standard Time": "Asia/Sakhalin",
    "Central Pacific Standard Time": "Pacific/Guadalcanal",
    "Russia Time Zone 11": "Asia/Kamchatka",
    "New Zealand Standard Time": "Pacific/Auckland",
    "UTC+12": "Etc/GMT-12",
    "Fiji Standard Time": "Pacific/Fiji",
    "Chatham Islands Standard Time": "Pacific/Chatham",
    "UTC+13": "Etc/GMT-13",
    "Tonga Standard Time": "Pacific/Tongatapu",
    "Samoa Standard Time": "Pacific/Apia",
    "Line Islands Standard Time": "Pacific/Kiritimati",
    # Outlook display names, which some exports write as the TZID.
    "(UTC-08:00) Pacific Time (US & Canada)": "America/Los_Angeles",
    "(UTC-07:00) Mountain Time (US & Canada)": "America/Denver",
    "(UTC-06:00) Central Time (US & Canada)": "America/Chicago",
    "(UTC-05:00) Eastern Time (US & Canada)": "America/New_York",
    "(UTC-04:00) Atlantic Time (Canada)": "America/Halifax",
    "(UTC) Coordinated Universal Time": "UTC",
    "(UTC+00:00) Dublin, Edinburgh, Lisbon, London": "Europe/London",
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "Europe/Berlin",
    "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris": "Europe/Paris",
    "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi": "Asia/Kolkata",
    "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi": "Asia/Shanghai",
    "(UTC+09:00) Osaka, Sapporo, Tokyo": "Asia/Tokyo",
    "(UTC+09:00) Seoul": "Asia/Seoul",
    "(UTC+10:00) Canberra, Melbourne, Sydney": "Australia/Sydney",
    # Lotus Notes / HCL Domino names, written without a VTIMEZONE by some exports.
    "Western/Central Europe": "Europe/Berlin",
}
_WINDOWS_FOLDED = {name.casefold(): iana for name, iana in WINDOWS_ZONES.items()}

# Only these VTIMEZONE properties mean anything to the offset rules; dateutil rejects the rest.
_VTZ_KEEP = {"BEGIN", "END", "TZID", "DTSTART", "RRULE", "RDATE", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"}


def known_zone(name: str) -> str | None:
    """The IANA name for an IANA, Windows or Outlook display name; None when it is none of them."""
    name = unescape_text(name.strip().strip('"'))
    if name == "UTC":
        return name
    linked = _links().get(name)
    if linked:
        return linked
    if name in _iana_names():
        try:
            zone(name)
        except ValueError:
            pass
        else:
            return name
    mapped = _WINDOWS_FOLDED.get(name.casefold())
    if mapped:
        return mapped
    if "/" in name:
        parts = name.strip("/").split("/")
        names = _iana_names()
        for i in range(len(parts)):
            tail = "/".join(parts[i:])
            if tail in names:
                return tail
    return None


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _links() -> dict[str, str]:
    """Legacy and alias names → the zone they link to, from tzdata's own `L target link` lines."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    links = {}
    for row in text.splitlines():
        if row.startswith("L "):
            _, target, link = row.split()
            links[link] = target
    return links


def resolve_tzid(
    tzid: str,
    vtimezones: dict[str, list[ContentLine]],
    window: Interval,
    source: str,
    line: int,
) -> str:
    """The IANA zone meant by `tzid` (see the module docstring for the order); CalendarError if none."""
    found = known_zone(tzid)
    if found:
        return found
    definition = vtimezones.get(unescape_text(tzid))
    if definition is None:
        raise CalendarError(
            source,
            f"unknown TZID {tzid!r}: not an IANA or Windows zone name, and the file has no VTIMEZONE "
            "defining it",
            line,
        )
    text = _vtimezone_text(definition)
    try:
        custom = _read_definition(text)
        matched = _match_definition(text, custom, window)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise CalendarError(
            source, f"the VTIMEZONE of TZID {tzid!r} cannot be read: {exc}", definition[0].line
        ) from None
    if matched is not None:
        return matched
    digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    return register_custom(f"{CUSTOM_PREFIX}{digest}:{tzid}", custom)


def _vtimezone_text(lines: list[ContentLine]) -> str:
    out = []
    for c in lines:
        if c.name not in _VTZ_KEEP:
            continue
        # Parameters (VALUE=DATE-TIME, TZID on DTSTART) carry nothing the offset rules need.
        out.append(f"{c.name}:{c.value}")
    return "\r\n".join(out) + "\r\n"


_MATCH_LOCK = threading.Lock()
_MATCHES: dict[tuple[str, Interval], str | None] = {}


@lru_cache(maxsize=256)
def _read_definition(text: str) -> tzinfo:
    parsed = tzical(io.StringIO(text))
    custom = parsed.get(parsed.keys()[0])
    if custom is None:
        raise ValueError("no time zone in it")
    return custom


def _match_definition(text: str, custom: tzinfo, window: Interval) -> str | None:
    key = (text, window)
    with _MATCH_LOCK:
        if key in _MATCHES:
            return _MATCHES[key]
    result = _first_agreeing_zone(custom, window)
    with _MATCH_LOCK:
        _MATCHES[key] = result
    return result


def _offset(instant: datetime, tz: tzinfo) -> timedelta | None:
    return instant.astimezone(tz).utcoffset()


def _first_agreeing_zone(custom: tzinfo, window: Interval) -> str | None:
    """The first IANA zone with the same offset as `custom` throughout the window (± 2 days)."""
    lo = window.start.replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    hi = window.end + timedelta(days=2)
    day = timedelta(days=1)
    # Offsets are piecewise constant and change at most about twice a year: sample each day,
    # then find each change to the minute. Candidates are checked at the changes first (the
    # points that tell zones apart), then at every daily sample.
    edges: list[datetime] = []
    daily: list[datetime] = []
    t, before = lo, _offset(lo, custom)
    while t < hi:
        nxt = t + day
        after = _offset(nxt, custom)
        if after != before:
            a, b = t, nxt
            while b - a > timedelta(minutes=1):
                mid = a + (b - a) / 2
                if _offset(mid, custom) == before:
                    a = mid
                else:
                    b = mid
            edges += [a, b]
        daily.append(nxt)
        t, before = nxt, after
    checks = [lo, *edges, *daily]
    expected = [_offset(c, custom) for c in checks]
    preferred = list(dict.fromkeys(WINDOWS_ZONES.values()))
    for names in (preferred, sorted(_iana_names() - set(preferred))):
        for name in names:
            try:
                tz = zone(name)
            except ValueError:
                continue
            if all(_offset(c, tz) == e for c, e in zip(checks, expected, strict=True)):
                return name
    return None


__all__ = ["UTC", "WINDOWS_ZONES", "known_zone", "resolve_tzid"]
