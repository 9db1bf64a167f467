"""One error tree for the whole program.

    SchedulerError
    ├── ConfigError (ValueError)      bad input: mission file, API body, CLI flag; carries every Problem found
    │   └── CalendarError             an iCalendar source that cannot be read or parsed (file and line)
    ├── NotFound (LookupError)        an id that names nothing
    │   └── Expired                   a link or offer that existed but has lapsed or been used (HTTP 410)
    ├── Conflict                      the change collides with what is there (double booking, stale data)
    ├── Forbidden                     a member whose role does not allow the change (a viewer's edit)
    ├── Throttled                     too many failed logins: try again after `retry_after` seconds
    └── DeliveryError                 a message could not be handed over (temporary or permanent)

Only `web/errors.py` maps these to HTTP status codes; only `cli/` maps them to exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class SchedulerError(Exception):
    """Base of every error this program raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is (`meetings[2] (jetro-briefing).duration`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(SchedulerError, ValueError):
    """Bad input. Holds every problem found, not just the first, so one run shows them all."""

    def __init__(self, problems: Iterable[Problem] | str, path: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(path, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class CalendarError(ConfigError):
    """An iCalendar source that cannot be read: names the source and, where known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}, line {line}" if line is not None else source
        super().__init__([Problem(where, message)])


class NotFound(SchedulerError, LookupError):
    """An id that names nothing (a meeting, a person, a proposal)."""


class Expired(NotFound):
    """A booking link or offer that existed but has expired or been used: the web says 410 Gone."""


class Conflict(SchedulerError):
    """The change collides with what is already there: a double booking, a stale sequence."""


class Forbidden(SchedulerError):
    """The caller may see the mission but their role does not allow this (HTTP 403)."""


class Throttled(SchedulerError):
    """Too many failed logins for this account or address; `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(f"too many failed logins: try again in {self.retry_after} s")


class DeliveryError(SchedulerError):
    """A message could not be handed to the mail server. `temporary` says whether a retry may help."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        self.temporary = temporary
        super().__init__(message)
