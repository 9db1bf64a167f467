"""The mission file (`config.toml`) → `Mission`, with every problem reported at once.

    mission = load_mission("config.toml")

The file's shape is the contract of issue 2 (see the sample `config.toml`). Reading never stops
at the first mistake: every problem is collected with its place, 0-based and with the id when
there is one (`meetings[2] (jetro-briefing).duration`), and one `ConfigError` carries them all.
An unknown key is a problem too, with a "did you mean" when it is close to a known one, so a
typo never silently drops a constraint.

The text forms (hours, durations), zones and holiday regions are checked by the core's own
parsers (`core.hours`, `core.zones`, `core.availability.validate_region`) through the typed
readers of `mission.fields`; this module only walks the file, adds the paths, and checks what
spans several tables: ids, references, resources, the `after` order and the mission's dates.
Busy calendars are read by `scheduler.ical.busy.load_busy`, over the mission window widened
by a day on each side.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scheduler.core.intervals import EMPTY, IntervalSet
from scheduler.core.models import Meeting, Mission, Participant
from scheduler.errors import ConfigError, Problem
from scheduler.mission.calendars import CalendarReader
from scheduler.mission.contract import TOML_PLACE, TOP
from scheduler.mission.head import HeadReader
from scheduler.mission.meetings import MeetingReader
from scheduler.mission.people import PeopleReader


def load_mission(path: str | Path, *, strict_calendars: bool = False) -> Mission:
    """Read the mission file at `path`; raise `ConfigError` listing every problem found.

    Relative calendar paths are read from the file's own folder. An unreadable file and
    invalid TOML syntax are `ConfigError`s too (naming the file and the line).
    `strict_calendars` refuses a calendar with a broken event instead of skipping the event.
    """
    path = Path(path)
    try:
        with path.open("rb") as fp:
            data = tomllib.load(fp)
    except OSError as exc:
        raise ConfigError(f"cannot read the mission file: {exc.strerror or exc}", str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("the mission file is not UTF-8 text", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_toml_problem(path, exc)]) from None
    return parse_mission(data, base_dir=path.resolve().parent, strict_calendars=strict_calendars)


def parse_mission(
    data: Mapping[str, Any], *, base_dir: Path, load_calendars: bool = True, strict_calendars: bool = False
) -> Mission:
    """Turn an already-parsed mission (TOML or JSON shape) into a `Mission`, or raise `ConfigError`.

    `base_dir` is where relative calendar paths start; `load_calendars=False` keeps the
    sources in `busy_sources` without reading them (busy time stays empty).
    """
    reader = MissionReader(base_dir, load_calendars)
    reader.strict_calendars = strict_calendars
    return reader.read(data)


def _toml_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    text = str(exc)
    m = TOML_PLACE.search(text)
    message = text[: m.start()] if m else text
    if m and m.group(1):
        return Problem(f"{path}, line {m.group(1)}", f"invalid TOML: {message} (column {m.group(2)})")
    if m:  # "at end of document": an unclosed bracket or string runs to the last line
        lines = max(1, len(path.read_bytes().splitlines()))
        return Problem(f"{path}, line {lines}", f"invalid TOML: {message} (at the end of the file)")
    return Problem(str(path), f"invalid TOML: {message}")


# --- the mission reader ----------------------------------------------------------------------
class MissionReader(HeadReader, PeopleReader, MeetingReader, CalendarReader):
    """Reads one parsed mission, section by section; every problem is recorded and reading goes on."""

    def read(self, data: Mapping[str, Any]) -> Mission:
        top = self.table(data, "", TOP)
        if top is None:
            raise ConfigError(self.problems)
        head = self.head(top["mission"]) if "mission" in top else None
        self.resources = self.resource_table(top.get("resources", {}))
        delegates = [self.participant(p, item, "delegate") for p, item in self.listed(top, "delegates")]
        counterparts = [
            self.participant(p, item, "counterpart") for p, item in self.listed(top, "counterparts")
        ]
        meetings = [self.meeting(p, item) for p, item in self.listed(top, "meetings")]
        self.check_after(meetings)
        busy = self.read_calendars(delegates + counterparts)
        if self.problems or head is None:
            raise ConfigError(self.problems)
        return self.build(head, delegates, counterparts, meetings, busy)

    def build(
        self,
        head: dict[str, Any],
        delegates: list[dict[str, Any]],
        counterparts: list[dict[str, Any]],
        meetings: list[dict[str, Any]],
        busy: dict[str, IntervalSet],
    ) -> Mission:
        """The models, once nothing is wrong; `None` fields take the models' defaults."""

        def given(fields: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in fields.items() if v is not None and k not in {"path", "raw_id"}}

        try:
            people = tuple(
                Participant(**given(p), busy=busy.get(p["path"], EMPTY)) for p in delegates + counterparts
            )
            return Mission(
                **given(head),
                resources=self.resources,
                delegates=people[: len(delegates)],
                counterparts=people[len(delegates) :],
                meetings=tuple(Meeting(**given(m)) for m in meetings),
            )
        except ValueError as exc:  # the checks above should have caught it; never lose the message
            raise ConfigError(str(exc)) from exc
