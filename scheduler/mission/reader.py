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

import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from scheduler.core.hours import parse_ranges
from scheduler.core.intervals import EMPTY, Interval, IntervalSet
from scheduler.core.models import Contact, Meeting, Mission, Participant
from scheduler.core.zones import local_midnight, validate_zone
from scheduler.errors import ConfigError, Problem
from scheduler.mission.fields import (
    ONE_DAY,
    FieldReader,
    Keys,
    check_region,
    cycles,
    did_you_mean,
    join,
    kind_of,
    parse_buffer,
    parse_instant,
    parse_meeting_duration,
    parse_step,
)

# --- the contract: the keys each table takes (required first) --------------------------------
TOP: Keys = (("mission",), ("resources", "delegates", "counterparts", "meetings"))
MISSION: Keys = (
    ("name", "timezone", "start", "end", "organizer"),
    ("step", "buffer", "video"),
)
ORGANIZER: Keys = (("name", "email"), ("language", "title"))
CONTACT: Keys = (("name", "email"), ("language", "title"))
_PERSON_COMMON = ("language", "holidays", "preferred", "overrides", "busy", "max_per_day")
DELEGATE: Keys = (("id", "name", "email", "timezone", "hours"), ("role", *_PERSON_COMMON))
COUNTERPART: Keys = (("id", "name", "timezone", "hours", "contacts"), _PERSON_COMMON)
MEETING: Keys = (
    ("id", "title", "delegates", "duration"),
    (
        "counterparts", "optional", "priority", "after", "resources", "not_before", "not_after",
        "fixed", "purpose", "agenda", "notes", "video",
    ),
)  # fmt: skip
FIXED: Keys = (("start",), ())

# What to write when a required key is missing.
HINTS = {
    "mission": "a [mission] table with name, timezone, start, end and organizer",
    "name": 'a name like "Patrick Brown"',
    "title": 'a title like "Briefing on Japan"',
    "timezone": 'an IANA zone like "America/Toronto" or "Asia/Tokyo"',
    "start": "a date like 2027-02-15",
    "end": "a date like 2027-02-26",
    "organizer": 'a table like { name = "Economic Development Office", email = "edo@example.org" }',
    "id": 'an id like "brown" (letters, digits, "-", "_" and ".")',
    "email": 'an address like "mayor@brampton.example.org"',
    "hours": 'a table like { mon-fri = "09:00-18:00" }',
    "contacts": 'a list like [{ name = "Sato Hanako", email = "sato@jetro.example.jp", language = "ja" }]',
    "delegates": 'a list of delegate ids like ["brown"]',
    "duration": 'a duration like "60m" or "1h30m"',
}
# Keys that belong elsewhere: a plain "unknown key" would not say where to put them.
MOVED = {
    "email": "counterparts are reached through contacts = [{ name, email, language }]",
    "role": "a counterpart is an organisation; give each contact a title instead",
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_TOML_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


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
    reader = _MissionReader(base_dir, load_calendars)
    reader.strict_calendars = strict_calendars
    return reader.read(data)


def _toml_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    text = str(exc)
    m = _TOML_PLACE.search(text)
    message = text[: m.start()] if m else text
    if m and m.group(1):
        return Problem(f"{path}, line {m.group(1)}", f"invalid TOML: {message} (column {m.group(2)})")
    if m:  # "at end of document": an unclosed bracket or string runs to the last line
        lines = max(1, len(path.read_bytes().splitlines()))
        return Problem(f"{path}, line {lines}", f"invalid TOML: {message} (at the end of the file)")
    return Problem(str(path), f"invalid TOML: {message}")


# --- the mission reader ----------------------------------------------------------------------
class _MissionReader(FieldReader):
    """Reads one parsed mission; every method records problems and goes on."""

    def __init__(self, base_dir: Path, load_calendars: bool) -> None:
        super().__init__(HINTS, MOVED)
        self.base_dir = base_dir
        self.load_calendars = load_calendars
        self.strict_calendars = False
        self.window: Interval | None = None  # the mission's, once its head is valid
        self.dates: tuple[date, date] | None = None
        self.given_dates: tuple[date, date] | None = None  # even when the zone is wrong
        self.resources: dict[str, int] = {}
        self.people: dict[str, tuple[str, str]] = {}  # participant id → (kind, path)
        self.meeting_paths: dict[str, str] = {}
        # Tables too broken to say which ids or names they hold; references to what they might
        # hold are then not reported, so one mistake does not echo through every meeting.
        self.unreadable: set[str] = set()

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

    def listed(self, top: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
        """The items of `[[key]]`, noting when the list or an item's id cannot be read."""
        value = top.get(key, [])
        items = self.items(value, key, f"[[{key}]]")
        if not isinstance(value, list) or any(
            not isinstance(item, Mapping) or not isinstance(item.get("id"), str) for _, item in items
        ):
            self.unreadable.add("meetings" if key == "meetings" else "participants")
        return items

    # --- [mission] and [resources] -----------------------------------------------------------
    def head(self, value: object) -> dict[str, Any] | None:
        t = self.table(value, "mission", MISSION)
        if t is None:
            return None
        path = "mission"
        zone = self.checked(t, "timezone", path, validate_zone)
        start = self.day(t["start"], "mission.start") if "start" in t else None
        end = self.day(t["end"], "mission.end") if "end" in t else None
        if start and end and end < start:
            self.error("mission.end", f"the mission ends ({end}) before it starts ({start})")
        elif start and end:
            self.given_dates = (start, end)
        if zone and start and end and start <= end:
            self.dates = (start, end)
            self.window = Interval(local_midnight(start, zone), local_midnight(end + ONE_DAY, zone))
        organizer = None
        if "organizer" in t:
            organizer = self.contact("mission.organizer", t["organizer"], ORGANIZER, "en")
        return {
            "name": self.text(t, "name", path, blank=False),
            "timezone": zone,
            "start": start,
            "end": end,
            "step": self.checked(t, "step", path, parse_step),
            "buffer": self.checked(t, "buffer", path, parse_buffer),
            "organizer": organizer,
            "video_url": self.matching(t, "video", path, _URL, "an http(s) URL"),
        }

    def resource_table(self, value: object) -> dict[str, int]:
        if not isinstance(value, Mapping):
            self.error("resources", f"expected a table like {{ interpreter = 1 }}, got {kind_of(value)}")
            self.unreadable.add("resources")
            return {}
        out: dict[str, int] = {}
        for name in value:
            if not _ID.match(str(name)):
                self.error(join("resources", name), f"{name!r} is not a name like 'interpreter'")
            capacity = value[name]
            out[str(name)] = capacity  # named, even when its capacity is wrong (only reported)
            if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
                self.error(
                    join("resources", name),
                    f"expected a whole number of at least 1 (how many meetings may use it at once), "
                    f"got {kind_of(capacity)}",
                )
        return out

    # --- [[delegates]] and [[counterparts]] -------------------------------------------------
    def participant(self, path: str, value: object, kind: str) -> dict[str, Any]:
        t = self.table(value, path, DELEGATE if kind == "delegate" else COUNTERPART, moved=True)
        if t is None:
            return {"path": path}
        pid = self.matching(t, "id", path, _ID, 'an id (letters, digits, "-", "_" and ".")')
        raw = t.get("id")
        if isinstance(raw, str) and raw:  # even a malformed id: meetings that name it are not wrong too
            if raw in self.people:
                self.error(join(path, "id"), f"{raw!r} is already the id of {self.people[raw][1]}")
            else:
                self.people[raw] = (kind, path)
        language = self.matching(t, "language", path, _LANGUAGE, "a language code like 'en' or 'ja'", "en")
        fields: dict[str, Any] = {
            "path": path,
            "id": pid,
            "name": self.text(t, "name", path, blank=False),
            "kind": kind,
            "timezone": self.checked(t, "timezone", path, validate_zone),
            "language": language,
            "holidays": self.checked(t, "holidays", path, check_region),
            "hours": self.weekly(t, "hours", path),
            "preferred": self.weekly(t, "preferred", path),
            "overrides": self.overrides(t, path),
            "busy_sources": self.strings(t, "busy", path, "calendar files or URLs"),
            "max_per_day": self.whole(t, "max_per_day", path, least=1),
        }
        if kind == "delegate":
            fields["email"] = self.matching(t, "email", path, _EMAIL, "an email address")
            fields["role"] = self.text(t, "role", path)
        elif "contacts" in t:
            where = join(path, "contacts")
            items = self.items(t["contacts"], where, "[{ name = ..., email = ..., language = ... }]")
            if isinstance(t["contacts"], list) and not items:
                self.error(where, "an organisation needs at least one contact to receive the invitations")
            fields["contacts"] = tuple(self.contact(p, c, CONTACT, language or "en") for p, c in items)
        return fields

    def contact(self, path: str, value: object, keys: Keys, language: str) -> Contact | None:
        t = self.table(value, path, keys)
        if t is None:
            return None
        name = self.text(t, "name", path, blank=False)
        email = self.matching(t, "email", path, _EMAIL, "an email address")
        lang = self.matching(t, "language", path, _LANGUAGE, "a language code like 'en' or 'ja'", language)
        title = self.text(t, "title", path, default="")
        if name and email and lang is not None and title is not None:
            return Contact(name=name, email=email, language=lang, title=title)
        return None

    def overrides(self, t: Mapping[str, Any], path: str) -> dict[date, tuple[tuple[int, int], ...]] | None:
        """`{ 2027-02-17 = "off", 2027-02-18 = "19:00-23:00" }`: the holder's local dates."""
        spec, path = t.get("overrides", {}), join(path, "overrides")
        if not isinstance(spec, Mapping):
            self.error(path, f'expected a table like {{ 2027-02-17 = "off" }}, got {kind_of(spec)}')
            return None
        out: dict[date, tuple[tuple[int, int], ...]] = {}
        for key, value in spec.items():
            where = join(path, key.isoformat() if isinstance(key, date) else key)
            day = self.day(key, where)
            try:
                ranges = parse_ranges(value)
            except ValueError as exc:
                self.error(where, str(exc))
                continue
            if day is None:
                continue
            if day in out:
                self.error(where, f"{day} is given twice")
            # A holder's local date can be a day either side of the home zone's dates.
            if self.dates and not self.dates[0] - ONE_DAY <= day <= self.dates[1] + ONE_DAY:
                self.error(
                    where, f"{day} is outside the mission ({self._span()}), so it would change nothing"
                )
            out[day] = ranges
        return out

    def _span(self) -> str:
        assert self.dates is not None
        return f"{self.dates[0]} to {self.dates[1]}"

    # --- [[meetings]] ------------------------------------------------------------------------
    def meeting(self, path: str, value: object) -> dict[str, Any]:
        t = self.table(value, path, MEETING)
        if t is None:
            return {"path": path}
        mid = self.matching(t, "id", path, _ID, 'an id (letters, digits, "-", "_" and ".")')
        raw = t.get("id")
        if isinstance(raw, str) and raw:
            if raw in self.meeting_paths:
                self.error(join(path, "id"), f"{raw!r} is already the id of {self.meeting_paths[raw]}")
            else:
                self.meeting_paths[raw] = path
        delegates = self.refs(t, "delegates", path, "delegate")
        if delegates == () and "delegates" in t:
            self.error(join(path, "delegates"), "a meeting needs at least one delegate")
        # `optional` names delegates only: people who may join. An organisation is either a
        # required party (its contacts get invitations) or not invited; downstream, optional
        # attendees are people with an address, not organisations reached through contacts.
        optional = self.refs(t, "optional", path, "delegate")
        for i, pid in enumerate(optional or ()):
            if pid in (delegates or ()):
                self.error(f"{path}.optional[{i}]", f"{pid!r} is already a required delegate of this meeting")
        resources = self.strings(t, "resources", path, "resource names")
        for i, name in enumerate(resources or ()):
            if name not in self.resources and "resources" not in self.unreadable:
                known = did_you_mean(name, list(self.resources))
                self.error(
                    f"{path}.resources[{i}]", f"unknown resource {name!r}{known}; declare it in [resources]"
                )
        duration = self.checked(t, "duration", path, parse_meeting_duration)
        not_before = self.day(t["not_before"], join(path, "not_before")) if "not_before" in t else None
        not_after = self.day(t["not_after"], join(path, "not_after")) if "not_after" in t else None
        self.check_dates(path, not_before, not_after)
        fixed = None
        if "fixed" in t:
            fixed_table = self.table(t["fixed"], join(path, "fixed"), FIXED)
            if fixed_table is not None:
                fixed = self.checked(fixed_table, "start", join(path, "fixed"), parse_instant)
                self.check_fixed(join(path, "fixed.start"), fixed, duration)
        return {
            "path": path,
            "raw_id": raw,
            "id": mid,
            "title": self.text(t, "title", path, blank=False),
            "delegates": delegates,
            "counterparts": self.refs(t, "counterparts", path, "counterpart"),
            "optional": optional,
            "duration": duration,
            "priority": self.whole(t, "priority", path, least=1),
            "after": self.strings(t, "after", path, "meeting ids"),
            "resources": resources,
            "not_before": not_before,
            "not_after": not_after,
            "fixed_start": fixed,
            "purpose": self.text(t, "purpose", path),
            "agenda": self.strings(t, "agenda", path, "agenda items"),
            "notes": self.text(t, "notes", path),
            "video_url": self.matching(t, "video", path, _URL, "an http(s) URL"),
        }

    def refs(self, t: Mapping[str, Any], key: str, path: str, kind: str) -> tuple[str, ...] | None:
        """Ids of participants of one kind; an id of the other kind says where it belongs."""
        ids = self.strings(t, key, path, f"{kind} ids")
        for i, pid in enumerate(ids or ()):
            where = f"{join(path, key)}[{i}]"
            known = self.people.get(pid)
            if known is None and "participants" in self.unreadable:
                continue
            if known is None:
                same_kind = [k for k, (kd, _) in self.people.items() if kd == kind]
                self.error(where, f"unknown {kind} {pid!r}{did_you_mean(pid, same_kind)}")
            elif known[0] != kind and key == "optional":
                self.error(
                    where,
                    f"{pid!r} is a counterpart ({known[1]}); `optional` names delegates only, people "
                    "who may join: an organisation takes part (list it under counterparts) or is not invited",
                )
            elif known[0] != kind:
                self.error(where, f"{pid!r} is a {known[0]} ({known[1]}): list it under {known[0]}s")
        return ids

    def check_dates(self, path: str, not_before: date | None, not_after: date | None) -> None:
        if not_before and not_after and not_after < not_before:
            self.error(join(path, "not_after"), f"{not_after} is before not_before ({not_before})")
        for key, day in (("not_before", not_before), ("not_after", not_after)):
            if day and self.dates and not self.dates[0] <= day <= self.dates[1]:
                self.error(join(path, key), f"{day} is outside the mission ({self._span()})")

    def check_fixed(self, path: str, start: datetime | None, duration: timedelta | None) -> None:
        if start is None or duration is None or self.window is None:
            return
        if not (self.window.start <= start and start + duration <= self.window.end):
            self.error(path, f"{start.isoformat()} is outside the mission ({self._span()})")

    def check_after(self, meetings: list[dict[str, Any]]) -> None:
        """Every `after` id names a meeting, and the order has no cycle."""
        graph: dict[str, tuple[str, ...]] = {}
        for m in meetings:
            known = []
            for i, other in enumerate(m.get("after") or ()):
                if other in self.meeting_paths:
                    known.append(other)
                elif "meetings" not in self.unreadable:
                    hint = did_you_mean(other, list(self.meeting_paths))
                    self.error(f"{m['path']}.after[{i}]", f"unknown meeting {other!r}{hint}")
            mid = m.get("raw_id")
            if mid and self.meeting_paths.get(mid) == m["path"]:
                graph[mid] = tuple(known)
        for loop in cycles(graph):
            self.error(
                f"{self.meeting_paths[loop[0]]}.after",
                f"cycle in `after`: {' → '.join(loop)} (each must come after the next, so none can be first)",
            )

    # --- busy calendars and the models ---------------------------------------------------------
    def read_calendars(self, participants: list[dict[str, Any]]) -> dict[str, IntervalSet]:
        """Busy time per participant path, read over the mission window ± one day."""
        busy: dict[str, IntervalSet] = {}
        wanted = [p for p in participants if p.get("busy_sources") and p.get("timezone")]
        if not (self.load_calendars and wanted):
            return busy
        # Imported here: only a file that names calendars needs the iCalendar stack.
        from scheduler.ical.busy import load_busy

        window = self.calendar_window()
        for p in wanted:
            total = EMPTY
            for i, source in enumerate(p["busy_sources"]):
                try:
                    total |= load_busy(
                        source,
                        base_dir=self.base_dir,
                        owner_zone=p["timezone"],
                        window=window,
                        strict=self.strict_calendars,
                    )
                except ConfigError as exc:  # CalendarError: names the file and line
                    for problem in exc.problems:
                        self.error(f"{p['path']}.busy[{i}]", str(problem))
            busy[p["path"]] = total
        return busy

    def calendar_window(self) -> Interval:
        """The mission window ± one day; when [mission] is broken, still a window to read in.

        The mission's problems are reported already and no model is built, but a missing or
        broken calendar must be listed with them (all errors at once), so the files are read
        over the dates in UTC widened by two days (any zone's dates lie inside), or, without
        usable dates, over one day: enough to find the file and parse it.
        """
        if self.window is not None:
            return Interval(self.window.start - ONE_DAY, self.window.end + ONE_DAY)
        first, last = self.given_dates or (date(2000, 1, 1), date(2000, 1, 1))
        return Interval(
            datetime.combine(first - 2 * ONE_DAY, time(0), tzinfo=UTC),
            datetime.combine(last + 3 * ONE_DAY, time(0), tzinfo=UTC),
        )

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
