"""A stored mission as its mission-file document (JSON shape), and saving a changed document.

Every CRUD route reads the document, changes one table in it, and saves: the mission-file
reader (`config.parse_mission`) checks the whole result and names any bad field, so the API
and the file can never disagree on what is valid. Calendars are never read from API input.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from scheduler.core.hours import format_duration
from scheduler.core.models import Mission
from scheduler.errors import NotFound
from scheduler.mission.reader import parse_mission
from scheduler.mission.writer import meeting_table as _meeting_table
from scheduler.mission.writer import participant_table
from scheduler.services import export_mission
from scheduler.services.context import Services
from scheduler.services.editing import save_definition

Doc = dict[str, Any]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def meeting_table(mission: Mission, meeting_id: str) -> Doc:
    return _json(_meeting_table(mission.meeting(meeting_id)))  # type: ignore[no-any-return]


def document(mission: Mission) -> Doc:
    """The mission as the JSON form of its mission file (booked meetings carry `fixed`)."""
    head: Doc = {
        "name": mission.name,
        "timezone": mission.timezone,
        "start": mission.start,
        "end": mission.end,
        "step": format_duration(mission.step),
        "buffer": "0m" if not mission.buffer else format_duration(mission.buffer),
        "organizer": {"name": mission.organizer.name, "email": mission.organizer.email},
    }
    if mission.video_url:
        head["video"] = mission.video_url
    return _json(  # type: ignore[no-any-return]
        {
            "mission": head,
            "resources": dict(mission.resources),
            "delegates": [participant_table(p) for p in mission.delegates],
            "counterparts": [participant_table(p) for p in mission.counterparts],
            "meetings": [_meeting_table(m) for m in mission.meetings],
        }
    )


def parse(doc: Doc) -> Mission:
    """Validate a document; `ConfigError` names every bad field. Calendar files are not read."""
    return parse_mission(doc, base_dir=Path.cwd(), load_calendars=False)


def load(services: Services, mission_id: int) -> Doc:
    return document(export_mission(services, mission_id))


def save(services: Services, mission_id: int, doc: Doc) -> Mission:
    """Check `doc` and store it as the mission's definition; the stored mission."""
    return save_definition(services, mission_id, parse(doc))


def find(items: list[Doc], key: str, value: str, what: str) -> int:
    """Index of the item whose `key` is `value`; `NotFound` naming `what` otherwise."""
    for i, item in enumerate(items):
        if item.get(key) == value:
            return i
    raise NotFound(f"no {what} {value!r}")


def merge(table: Doc, changes: Doc) -> Doc:
    """`table` with the sent fields of a partial update (None means "not sent" or "clear")."""
    out = dict(table)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


__all__ = ["Doc", "document", "find", "load", "meeting_table", "merge", "parse", "save"]
