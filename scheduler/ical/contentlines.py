"""A small, strict reader of iCalendar content lines (RFC 5545 §3.1), fast enough for big feeds.

It does only what the busy-time import needs: decode, unfold (CRLF or bare LF files), split each
logical line into `NAME;PARAM=value;PARAM="quoted:value":VALUE`, and remember the physical line
number where it starts so every error can point at it. Values are left raw: callers unescape
TEXT with `unescape_text` only where they need the text.

    >>> [(c.name, c.params, c.value) for c in content_lines('DTSTART;TZID="A:B":20270215T090000', "x")]
    [('DTSTART', {'TZID': 'A:B'}, '20270215T090000')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from scheduler.errors import CalendarError

# iana-token / x-name: letters, digits and dashes (RFC 5545 §3.1).
_NAME = re.compile(r"[A-Za-z0-9-]+")
_NO_PARAMS: dict[str, str] = {}


class ContentLine(NamedTuple):
    """One unfolded line: upper-cased name and parameter names, unquoted parameter values."""

    name: str
    params: dict[str, str]
    value: str
    line: int


def decode(data: str | bytes, source: str) -> str:
    """Text of a calendar given as str or bytes (UTF-8, a byte-order mark allowed)."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CalendarError(source, "not UTF-8 text (iCalendar files must be UTF-8)", line) from None


def unfold(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines with the number of the physical line each starts on; blank lines skipped."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), 1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        if raw[:1] in (" ", "\t"):
            if not current:
                raise _Continuation(number)
            current.append(raw[1:])
            continue
        if not raw:
            # A blank line is skipped without ending the line before: a continuation after
            # it still continues that line (as icalendar and the clients read such files).
            continue
        if current:
            yield start, current[0] if len(current) == 1 else "".join(current)
        current = [raw]
        start = number
    if current:
        yield start, current[0] if len(current) == 1 else "".join(current)


class _Continuation(Exception):
    """A folded continuation with nothing before it to continue."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def content_lines(data: str | bytes, source: str) -> Iterator[ContentLine]:
    """Every content line of a calendar, parsed; a malformed one raises CalendarError with its line."""
    for number, logical in logical_lines(data, source):
        yield parse_line(logical, number, source)


def logical_lines(data: str | bytes, source: str) -> Iterator[tuple[int, str]]:
    """Unfolded lines with their first physical line number (errors name the source)."""
    text = decode(data, source)
    try:
        yield from unfold(text)
    except _Continuation as exc:
        raise CalendarError(source, "a folded continuation line with no line before it", exc.line) from None


def line_name(text: str, number: int, source: str) -> str:
    """The upper-cased name of a logical line, checked, without parsing its parameters.

    For lines whose content nobody reads: they must still be content lines, but a quirk in,
    say, an ATTENDEE's parameters does not stop the busy import.
    """
    colon = text.find(":")
    if colon <= 0:
        raise CalendarError(source, f"not an iCalendar content line: {_show(text)}", number)
    semi = text.find(";", 0, colon)
    name = text[:semi] if semi != -1 else text[:colon]
    if not _NAME.fullmatch(name):
        raise CalendarError(source, f"bad property name {name!r}", number)
    return name.upper()


def parse_line(text: str, number: int, source: str) -> ContentLine:
    """Split one logical line into name, parameters and value."""
    colon = text.find(":")
    semi = text.find(";")
    if semi == -1 or (colon != -1 and colon < semi):
        # The common case: no parameters.
        if colon <= 0:
            raise CalendarError(source, f"not an iCalendar content line: {_show(text)}", number)
        name = text[:colon]
        if not _NAME.fullmatch(name):
            raise CalendarError(source, f"bad property name {name!r}", number)
        return ContentLine(name.upper(), _NO_PARAMS, text[colon + 1 :], number)
    name = text[:semi]
    if not name or not _NAME.fullmatch(name):
        raise CalendarError(source, f"bad property name {name!r}", number)
    if colon != -1 and '"' not in text[:colon]:
        # Unquoted parameter values cannot hold ':' or ';', so the first ':' ends them.
        params = {}
        for part in text[semi + 1 : colon].split(";"):
            key, eq, val = part.partition("=")
            if not eq or not key:
                raise CalendarError(source, f"bad parameter {part!r} (expected NAME=value)", number)
            params[key.upper()] = val
        return ContentLine(name.upper(), params, text[colon + 1 :], number)
    params, end = _quoted_params(text, semi + 1, number, source)
    return ContentLine(name.upper(), params, text[end + 1 :], number)


def _quoted_params(text: str, pos: int, number: int, source: str) -> tuple[dict[str, str], int]:
    """Parameters that contain a quoted value; returns them and the index of the value's ':'."""
    params: dict[str, str] = {}
    n = len(text)
    while True:
        eq = text.find("=", pos)
        if eq == -1:
            raise CalendarError(source, f"bad parameter in {_show(text)} (expected NAME=value)", number)
        key = text[pos:eq].upper()
        if not key or not _NAME.fullmatch(key):
            raise CalendarError(source, f"bad parameter name {key!r}", number)
        values: list[str] = []
        i = eq + 1
        while True:  # a parameter may hold several comma-separated values, each maybe quoted
            if i < n and text[i] == '"':
                close = text.find('"', i + 1)
                if close == -1:
                    raise CalendarError(source, "a quoted parameter value is not closed", number)
                values.append(text[i + 1 : close])
                i = close + 1
            else:
                j = i
                while j < n and text[j] not in ',;:"':
                    j += 1
                values.append(text[i:j])
                i = j
            if i < n and text[i] == ",":
                i += 1
                continue
            break
        params[key] = ",".join(values)
        if i >= n:
            raise CalendarError(source, f"no ':' before the value in {_show(text)}", number)
        if text[i] == ":":
            return params, i
        if text[i] != ";":
            raise CalendarError(source, f"unexpected {text[i]!r} in the parameters of {_show(text)}", number)
        pos = i + 1


_ESCAPES = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}
_ESCAPE = re.compile(r"\\[\\;,nN]")


def unescape_text(value: str) -> str:
    """A TEXT value with its backslash escapes (`\\\\ \\; \\, \\n`) undone (RFC 5545 §3.3.11)."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], value)


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
