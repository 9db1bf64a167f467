"""Dates and times for people: each reader's own local time first, the other side's beside it.

Formatting goes through Babel with one pattern per supported language, so the weekday and
month names come from CLDR ("Mon", "火"), and the zone abbreviation from the tz database
(`EST`, `EDT`, `JST`). The other side's time always carries its own date and weekday, which is
what makes a date change visible: "Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)".

    >>> from datetime import UTC, datetime
    >>> start = datetime(2027, 2, 16, 1, tzinfo=UTC)
    >>> both_sides(start, start.replace(hour=2), "America/Toronto", "Asia/Tokyo", "en")
    'Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_datetime, get_timezone_location

from scheduler.core.intervals import ensure_utc
from scheduler.core.zones import zone

# language → (full date, short date for the other side, time) in Babel/CLDR pattern syntax.
_PATTERNS = {
    "en": ("EEE d MMM y", "EEE d MMM", "HH:mm"),
    "ja": ("y年M月d日(EEE)", "M月d日(EEE)", "HH:mm"),
}
SUPPORTED = tuple(_PATTERNS)
DASH = "–"  # en dash between the two ends of a range


def language_of(code: str) -> str:
    """The supported language for a recipient's `language` code ("ja-JP" → "ja"); English otherwise."""
    base = (code or "en").replace("_", "-").split("-")[0].lower()
    return base if base in _PATTERNS else "en"


def _fmt(instant: datetime, tz: str, pattern: str, lang: str) -> str:
    return format_datetime(instant.astimezone(zone(tz)), pattern, locale=lang)


def abbreviation(instant: datetime, tz: str) -> str:
    """The zone's abbreviation at that instant from the tz database: EST, EDT, JST."""
    return instant.astimezone(zone(tz)).tzname() or tz


def city(tz: str, lang: str) -> str:
    """The zone's exemplar city in the reader's language: "Toronto", "トロント"."""
    return str(get_timezone_location(zone(tz), locale=language_of(lang), return_city=True))


def local_range(start: datetime, end: datetime, tz: str, lang: str) -> str:
    """`Mon 15 Feb 2027 20:00–21:00 EST`; the end's date is written too when it falls on another day."""
    lang = language_of(lang)
    full, _short, hm = _PATTERNS[lang]
    start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
    tzinfo = zone(tz)
    same_day = start.astimezone(tzinfo).date() == (end - timedelta(microseconds=1)).astimezone(tzinfo).date()
    head = f"{_fmt(start, tz, full, lang)} {_fmt(start, tz, hm, lang)}"
    tail = _fmt(end, tz, hm, lang) if same_day else f"{_fmt(end, tz, full, lang)} {_fmt(end, tz, hm, lang)}"
    end_abbr = abbreviation(end, tz)
    if end_abbr != abbreviation(start, tz):  # a meeting across the switch itself
        return f"{head} {abbreviation(start, tz)}{DASH}{tail} {end_abbr}"
    return f"{head}{DASH}{tail} {end_abbr}"


def local_moment(instant: datetime, tz: str, lang: str, *, with_year: bool = False) -> str:
    """The other side's start, always with its date and weekday: `Tue 16 Feb 10:00 JST`."""
    lang = language_of(lang)
    full, short, hm = _PATTERNS[lang]
    day = _fmt(instant, tz, full if with_year else short, lang)
    return f"{day} {_fmt(instant, tz, hm, lang)} {abbreviation(instant, tz)}"


def both_sides(start: datetime, end: datetime, own_tz: str, other_tz: str | None, lang: str) -> str:
    """The reader's own local range first, the other side's start beside it (in the reader's language).

    English: `Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)`;
    Japanese: `2027年2月16日(火) 10:00–11:00 JST（トロント 2月15日(月) 20:00 EST）`.
    """
    lang = language_of(lang)
    own = local_range(start, end, own_tz, lang)
    if not other_tz or other_tz == own_tz:
        return own
    other = local_moment(start, other_tz, lang)
    if lang == "ja":
        return f"{own}（{city(other_tz, lang)} {other}）"
    return f"{own} ({city(other_tz, lang)}: {other})"


@dataclass(frozen=True, kw_only=True)
class DstChange:
    """A clock change in `zone` at `at` (UTC) that falls between a booking and its meeting."""

    zone: str
    at: datetime
    before: str  # abbreviation before the change: EST
    after: str  # and after it: EDT
    starts_summer_time: bool
    other_zone: str
    gap_before: timedelta  # |offset(zone) - offset(other_zone)| just before the change
    gap_after: timedelta  # and at the meeting


def _offset(instant: datetime, tz: str) -> timedelta:
    off = instant.astimezone(zone(tz)).utcoffset()
    assert off is not None  # zoneinfo always answers for an aware instant
    return off


def _transitions(tz: str, begin: datetime, end: datetime) -> list[datetime]:
    """Instants in `(begin, end]` where the zone's UTC offset changes, found to the second."""
    found: list[datetime] = []
    step = timedelta(days=1)
    lo = begin
    while lo < end:
        hi = min(lo + step, end)
        if _offset(lo, tz) != _offset(hi, tz):
            a, b = lo, hi  # bisect: offset(a) differs from offset(b)
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                if _offset(mid, tz) == _offset(a, tz):
                    a = mid
                else:
                    b = mid
            found.append(b.replace(microsecond=0))
        lo = hi
    return found


def dst_changes(now: datetime, start: datetime, own_tz: str, other_tz: str | None) -> list[DstChange]:
    """Clock changes of either zone after `now` (the booking) and before `start` (the meeting)."""
    now, start = ensure_utc(now, "now"), ensure_utc(start, "start")
    zones = [own_tz] if not other_tz or other_tz == own_tz else [own_tz, other_tz]
    out: list[DstChange] = []
    for tz in zones:
        other = next((z for z in zones if z != tz), tz)
        for at in _transitions(tz, now, start):
            before_at = at - timedelta(seconds=1)
            local_after = at.astimezone(zone(tz))
            out.append(
                DstChange(
                    zone=tz,
                    at=at,
                    before=abbreviation(before_at, tz),
                    after=abbreviation(at, tz),
                    starts_summer_time=bool(local_after.dst()),
                    other_zone=other,
                    gap_before=abs(_offset(before_at, tz) - _offset(before_at, other)),
                    gap_after=abs(_offset(start, tz) - _offset(start, other)),
                )
            )
    return sorted(out, key=lambda c: c.at)


def _hours(gap: timedelta, lang: str) -> str:
    hours = gap.total_seconds() / 3600
    text = f"{hours:g}"
    return f"{text}時間" if lang == "ja" else f"{text} h"


def dst_warning(change: DstChange, lang: str) -> str:
    """One sentence saying which clocks change, when, and how the gap between the two sides moves."""
    lang = language_of(lang)
    here, there = city(change.zone, lang), city(change.other_zone, lang)
    day = _fmt(change.at, change.zone, _PATTERNS[lang][0], lang)
    gap_moves = change.gap_before != change.gap_after and change.other_zone != change.zone
    if lang == "ja":
        what = "夏時間が始まり" if change.starts_summer_time else "夏時間が終わり"
        text = f"ご注意：この会議の前、{day}に{here}で{what}ます（{change.before}→{change.after}）。"
        if gap_moves:
            text += (
                f"{here}と{there}の時差は{_hours(change.gap_before, lang)}から"
                f"{_hours(change.gap_after, lang)}に変わります。"
            )
        return text + "上記の日時は、切り替え後の時刻で記載しております。"
    what = "summer time starts" if change.starts_summer_time else "summer time ends"
    text = f"Note: {what} in {here} on {day}, before this meeting ({change.before} → {change.after})."
    if gap_moves:
        text += (
            f" {here}–{there} moves from {_hours(change.gap_before, lang)} "
            f"to {_hours(change.gap_after, lang)} apart."
        )
    return text + " The times above already include the change."
