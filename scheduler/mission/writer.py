"""`Mission` → mission-file TOML: the inverse of `config.load_mission`.

    text = dump_mission(mission)
    load_mission(path_of(text)) == mission        # when the calendars named in `busy` are the same

Everything the file can say is written back: hours as day ranges (`mon-fri = "07:00-22:00"`),
overrides, busy calendar sources as written (their busy time is read from them again on load),
contacts, resources, meetings with `fixed = { start = … }` when they are booked or confirmed,
agenda, notes and video links. Strings are TOML basic strings with every control character
escaped, so a title with a newline, quote or Japanese text round-trips exactly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scheduler.core.hours import format_duration, format_ranges
from scheduler.core.models import WEEKDAYS, Contact, Meeting, MinuteRange, Mission, Participant, WeeklyHours

Value = str | int | bool | date | datetime | list["Value"] | dict[str, "Value"]


# --- values ----------------------------------------------------------------------------------
def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _string(key)


def value(v: Value) -> str:
    """One TOML value, inline."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + (
            f".{v.microsecond:06d}Z" if v.microsecond else "Z"
        )
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _lines(table: Mapping[str, Value]) -> list[str]:
    return [f"{_key(k)} = {value(v)}" for k, v in table.items()]


# --- the shapes of the file ------------------------------------------------------------------
def weekly(hours: WeeklyHours) -> dict[str, Value]:
    """`WeeklyHours` → `{ "mon-fri" = "07:00-22:00", "sat" = "10:00-12:00" }`; days off are left out."""
    out: dict[str, Value] = {}
    i = 0
    while i < 7:
        ranges = hours.days[i]
        j = i
        while j + 1 < 7 and hours.days[j + 1] == ranges:
            j += 1
        if ranges:
            key = WEEKDAYS[i] if i == j else f"{WEEKDAYS[i]}-{WEEKDAYS[j]}"
            out[key] = format_ranges(ranges)
        i = j + 1
    return out


def _overrides(overrides: Mapping[date, tuple[MinuteRange, ...]]) -> dict[str, Value]:
    return {d.isoformat(): format_ranges(r) for d, r in sorted(overrides.items())}


def _contact(c: Contact) -> dict[str, Value]:
    out: dict[str, Value] = {"name": c.name, "email": c.email, "language": c.language}
    if c.title:
        out["title"] = c.title
    return out


def _buffer(b: timedelta) -> str:
    return "0m" if b == timedelta(0) else format_duration(b)


def participant_table(p: Participant) -> dict[str, Value]:
    t: dict[str, Value] = {"id": p.id, "name": p.name}
    if p.kind == "delegate":
        t["email"] = p.email
        if p.role:
            t["role"] = p.role
    t["timezone"] = p.timezone
    t["language"] = p.language
    if p.holidays:
        t["holidays"] = p.holidays
    t["hours"] = weekly(p.hours)
    if not p.preferred.empty:
        t["preferred"] = weekly(p.preferred)
    if p.overrides:
        t["overrides"] = _overrides(p.overrides)
    if p.busy_sources:
        t["busy"] = list(p.busy_sources)
    if p.max_per_day is not None:
        t["max_per_day"] = p.max_per_day
    if p.kind == "counterpart":
        t["contacts"] = [_contact(c) for c in p.contacts]
    return t


def meeting_table(m: Meeting) -> dict[str, Value]:
    t: dict[str, Value] = {"id": m.id, "title": m.title, "delegates": list(m.delegates)}
    if m.counterparts:
        t["counterparts"] = list(m.counterparts)
    if m.optional:
        t["optional"] = list(m.optional)
    t["duration"] = format_duration(m.duration)
    t["priority"] = m.priority
    if m.after:
        t["after"] = list(m.after)
    if m.resources:
        t["resources"] = list(m.resources)
    if m.not_before is not None:
        t["not_before"] = m.not_before
    if m.not_after is not None:
        t["not_after"] = m.not_after
    if m.fixed_start is not None:
        t["fixed"] = {"start": m.fixed_start}
    if m.purpose:
        t["purpose"] = m.purpose
    if m.agenda:
        t["agenda"] = list(m.agenda)
    if m.notes:
        t["notes"] = m.notes
    if m.video_url:
        t["video"] = m.video_url
    return t


def _array_of_tables(name: str, tables: Iterable[Mapping[str, Value]]) -> list[str]:
    out: list[str] = []
    for t in tables:
        out += ["", f"[[{name}]]", *_lines(t)]
    return out


def dump_mission(mission: Mission) -> str:
    """The mission as mission-file TOML that `config.load_mission` reads back to an equal `Mission`.

    Busy time is not written as data: the calendar sources in `busy` are, as they were given,
    so the file must sit where those relative paths still resolve.
    """
    head: dict[str, Value] = {
        "name": mission.name,
        "timezone": mission.timezone,
        "start": mission.start,
        "end": mission.end,
        "step": format_duration(mission.step),
        "buffer": _buffer(mission.buffer),
        "organizer": _contact(mission.organizer),
    }
    if mission.video_url:
        head["video"] = mission.video_url
    lines = ["[mission]", *_lines(head)]
    if mission.resources:
        lines += ["", "[resources]", *_lines(dict(mission.resources))]
    lines += _array_of_tables("delegates", (participant_table(p) for p in mission.delegates))
    lines += _array_of_tables("counterparts", (participant_table(p) for p in mission.counterparts))
    lines += _array_of_tables("meetings", (meeting_table(m) for m in mission.meetings))
    return "\n".join(lines) + "\n"


def rebase_sources(mission: Mission, from_dir: Path, to_dir: Path) -> Mission:
    """The mission with relative calendar paths rewritten so they resolve from `to_dir` as they
    did from `from_dir` (URLs and absolute paths are left alone): for a file written elsewhere."""

    def moved(source: str) -> str:
        if "://" in source or Path(source).is_absolute():
            return source
        return os.path.relpath(Path(from_dir) / source, Path(to_dir))

    def person(p: Participant) -> Participant:
        return replace(p, busy_sources=tuple(moved(s) for s in p.busy_sources))

    return replace(
        mission,
        delegates=tuple(person(p) for p in mission.delegates),
        counterparts=tuple(person(p) for p in mission.counterparts),
    )
