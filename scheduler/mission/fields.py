"""Typed readers for the fields of a parsed file: they record problems with their paths, never raise.

`FieldReader` is what `scheduler.mission.reader` builds the mission reader on: each method reads one
kind of value (a table with known keys, a date, a list of ids, weekly hours) from a parsed TOML
or JSON table, files a `Problem` at the field's path when the value is wrong, and returns
`None` for a bad value so the caller can keep going and report everything in one pass.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scheduler.core.availability import validate_region
from scheduler.core.hours import parse_days, parse_duration, parse_ranges, parse_weekly
from scheduler.core.models import NO_HOURS, WeeklyHours
from scheduler.errors import Problem

ONE_DAY = timedelta(days=1)

Keys = tuple[tuple[str, ...], tuple[str, ...]]
"""The keys a table takes: (required, optional)."""


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def kind_of(value: object) -> str:
    """How a value reads in a message: `the string 'brown'`, `a list`, `the number 3`."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def did_you_mean(word: object, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def labelled(path: str, item: object) -> str:
    """`meetings[2]` → `meetings[2] (jetro-briefing)` when the item has a usable id."""
    if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
        return f"{path} ({item['id']})"
    return path


class FieldReader:
    """Typed field readers that record problems instead of raising; `None` means a bad value.

    `hints` says what to write for each required key when it is missing; `moved` explains keys
    that belong in another place (checked only where a table asks for it).
    """

    def __init__(self, hints: Mapping[str, str], moved: Mapping[str, str] | None = None) -> None:
        self.problems: list[Problem] = []
        self.hints = hints
        self.moved = moved or {}

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def table(self, value: object, path: str, keys: Keys, *, moved: bool = False) -> Mapping[str, Any] | None:
        """Check that `value` is a table with the required keys and no unknown ones."""
        required, optional = keys
        if not isinstance(value, Mapping):
            self.error(path, f"expected a table, got {kind_of(value)}")
            return None
        allowed = (*required, *optional)
        for key in value:
            if key in allowed:
                continue
            if moved and key in self.moved:
                self.error(join(path, key), f"unknown key {key!r}: {self.moved[key]}")
            else:
                hint = did_you_mean(key, allowed) or f" (allowed: {', '.join(allowed)})"
                self.error(join(path, key), f"unknown key {str(key)!r}{hint}")
        for key in required:
            if key not in value:
                self.error(join(path, key), f"required key is missing: give {self.hints.get(key, 'a value')}")
        return value

    def items(self, value: object, path: str, form: str) -> list[tuple[str, Any]]:
        """A list of tables → (path with index and id, item) pairs; `form` shows how to write one."""
        if not isinstance(value, list):
            self.error(path, f"expected a list of tables ({form}), got {kind_of(value)}")
            return []
        return [(labelled(f"{path}[{i}]", item), item) for i, item in enumerate(value)]

    def text(
        self, t: Mapping[str, Any], key: str, path: str, *, default: str | None = None, blank: bool = True
    ) -> str | None:
        """A string; `blank=False` refuses an empty or all-space one."""
        if key not in t:
            return default
        value = t[key]
        if not isinstance(value, str):
            self.error(join(path, key), f"expected a string, got {kind_of(value)}")
            return None
        if not blank and not value.strip():
            self.error(join(path, key), "must not be empty")
            return None
        return value

    def matching(
        self,
        t: Mapping[str, Any],
        key: str,
        path: str,
        pattern: re.Pattern[str],
        what: str,
        default: str = "",
    ) -> str | None:
        value = self.text(t, key, path, default=default)
        if value and not pattern.match(value):
            self.error(join(path, key), f"{value!r} is not {what}")
            return None
        return value

    def checked(self, t: Mapping[str, Any], key: str, path: str, check: Any, default: Any = None) -> Any:
        """Run a core validator/parser (it raises `ValueError`) and file its message at the path."""
        if key not in t:
            return default
        try:
            return check(t[key])
        except ValueError as exc:
            self.error(join(path, key), str(exc))
            return None

    def whole(
        self, t: Mapping[str, Any], key: str, path: str, *, least: int, default: int | None = None
    ) -> int | None:
        """A whole number of at least `least` (a TOML boolean is not a number here)."""
        if key not in t:
            return default
        value = t[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            self.error(join(path, key), f"expected a whole number of at least {least}, got {kind_of(value)}")
            return None
        return value

    def day(self, value: object, path: str) -> date | None:
        """A TOML date, or an ISO date string (the JSON form of the same file)."""
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        elif isinstance(value, date) and not isinstance(value, datetime):
            return value
        self.error(path, f"expected a date like 2027-02-15, got {kind_of(value)}")
        return None

    def strings(self, t: Mapping[str, Any], key: str, path: str, what: str) -> tuple[str, ...] | None:
        """A list of strings; a lone string is the usual slip, so say how to write the list."""
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            example = f"[{json.dumps(value)}]" if isinstance(value, str) else '["a", "b"]'
            self.error(join(path, key), f"expected a list of {what} like {example}, got {kind_of(value)}")
            return None
        seen: set[str] = set()
        for i, v in enumerate(value):
            if v in seen:
                self.error(f"{join(path, key)}[{i}]", f"{v!r} is listed twice")
            seen.add(v)
        return tuple(value)

    def weekly(self, t: Mapping[str, Any], key: str, path: str) -> WeeklyHours | None:
        """`{ mon-fri = "07:00-22:00" }` → `WeeklyHours`, each problem at its own day key."""
        if key not in t:
            return NO_HOURS
        spec, path = t[key], join(path, key)
        if not isinstance(spec, Mapping):
            self.error(path, f'expected a table like {{ mon-fri = "09:00-18:00" }}, got {kind_of(spec)}')
            return None
        before = len(self.problems)
        for day_key, value in spec.items():
            try:
                if not isinstance(day_key, str):
                    raise ValueError(f"{day_key!r} is not a weekday or range like 'mon-fri'")
                parse_days(day_key)
                parse_ranges(value)
            except ValueError as exc:
                self.error(join(path, day_key), str(exc))
        if len(self.problems) > before:
            return None
        # The only problem left is a day named twice; growing the table key by key finds its key.
        entries = list(spec.items())
        for n in range(1, len(entries) + 1):
            try:
                parse_weekly(dict(entries[:n]))
            except ValueError as exc:
                self.error(join(path, entries[n - 1][0]), str(exc))
                return None
        return parse_weekly(spec)


# --- value checks the core does not own: each raises ValueError with the message to show -----
def check_region(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f'expected a region code like "JP" or "CA-ON" ("" for none), got {kind_of(value)}')
    return validate_region(value)


def parse_step(value: object) -> timedelta:
    step = parse_duration(value)  # type: ignore[arg-type]  # it rejects non-strings itself
    if step > ONE_DAY or ONE_DAY % step:
        raise ValueError(f"step {value!r} must divide a day evenly, like '5m', '10m', '15m', '30m' or '1h'")
    return step


def parse_buffer(value: object) -> timedelta:
    if isinstance(value, str) and value.strip() in {"0", "0m", "0h"}:
        return timedelta(0)
    buffer = parse_duration(value)  # type: ignore[arg-type]
    if buffer >= ONE_DAY:
        raise ValueError(f"buffer {value!r} must be shorter than a day")
    return buffer


def parse_meeting_duration(value: object) -> timedelta:
    duration = parse_duration(value)  # type: ignore[arg-type]
    if duration > ONE_DAY:
        raise ValueError(f"{value!r} is longer than a day; a meeting must fit inside one day's hours")
    return duration


def parse_instant(value: object) -> datetime:
    """A booked start: an aware date-time (TOML `2027-02-16T01:00:00Z`, or the same as a string)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date-time like 2027-02-16T01:00:00Z") from None
    if not isinstance(value, datetime):
        raise ValueError(f"expected a date-time like 2027-02-16T01:00:00Z, got {kind_of(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        text = value.isoformat()
        raise ValueError(
            f"{text} has no offset, so its instant is unknown: add Z for UTC or an offset, "
            f"like {text}Z or {text}-05:00"
        )
    return value.astimezone(UTC)


def cycles(graph: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Each cycle of `after` once, as the meeting ids along it, first repeated at the end."""
    order = {node: i for i, node in enumerate(graph)}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: dict[tuple[str, ...], list[str]] = {}
    for root in graph:
        if root in state:
            continue
        path: list[str] = [root]
        stack = [iter(graph[root])]
        state[root] = 1
        while stack:  # iterative, so a long chain of meetings cannot hit the recursion limit
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                loop = path[path.index(nxt) :]
                first = min(range(len(loop)), key=lambda i: order[loop[i]])
                loop = loop[first:] + loop[:first]
                found.setdefault(tuple(loop), [*loop, loop[0]])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return list(found.values())
