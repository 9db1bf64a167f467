"""Text and JSON for `scheduler find` and `scheduler overlap` (kept out of cli/main.py to keep it thin).

Local times read the way people say them: "Mon 15 Feb 19:00 EST", each in the holder's zone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scheduler.core.hours import format_duration
from scheduler.core.intervals import Interval
from scheduler.core.models import Mission, Slot, SlotSearch
from scheduler.core.overlap import Overlap
from scheduler.core.zones import to_local


def local_text(instant: datetime) -> str:
    """An aware local datetime as 'Mon 15 Feb 19:00 EST'."""
    return f"{instant:%a} {instant.day:02d} {instant:%b %H:%M} {instant.tzname()}"


def utc_text(instant: datetime) -> str:
    """'2027-02-16T01:00:00Z'."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_json(slot: Slot) -> dict[str, Any]:
    score = slot.score
    return {
        "start": utc_text(slot.start),
        "end": utc_text(slot.end),
        "local": {pid: local.isoformat() for pid, local in slot.local.items()},
        "optional_free": list(slot.optional_free),
        "score": {
            "value": score.value,
            "optional_free": score.optional_free,
            "worst_comfort": score.worst_comfort,
            "mean_comfort": score.mean_comfort,
            "comfort": dict(score.comfort),
        },
    }


def search_json(search: SlotSearch) -> str:
    """The `find --json` document: exactly meeting, slots, reasons."""
    doc = {
        "meeting": search.meeting_id,
        "slots": [slot_json(s) for s in search.slots],
        "reasons": list(search.reasons),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def search_table(mission: Mission, search: SlotSearch, total: int) -> str:
    """A table: one row per slot, a column per participant (optional ones marked), the score."""
    meeting = mission.meeting(search.meeting_id)
    people = list(meeting.invited)
    heads = ["#", *(pid if pid not in meeting.optional else f"{pid} (optional)" for pid in people)]
    heads += ["optional free", "worst", "mean"]
    rows = [
        [
            str(n),
            *(local_text(slot.local[pid]) for pid in people),
            ", ".join(slot.optional_free) or "-",
            str(slot.score.worst_comfort),
            str(slot.score.mean_comfort),
        ]
        for n, slot in enumerate(search.slots, 1)
    ]
    shown = f"{len(search.slots)} of {total} slots, best first" if total else "no slot"
    lines = [f"{meeting.id}: {meeting.title} ({format_duration(meeting.duration)}), {shown}"]
    if rows:
        widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
        for row in [heads, *rows]:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if search.reasons:
        lines.append("why:" if not rows else "why so few:")
        lines.extend(f"  - {reason}" for reason in search.reasons)
    return "\n".join(lines)


def _range_text(iv: Interval, zone_name: str) -> str:
    a, b = to_local(iv.start, zone_name), to_local(iv.end, zone_name)
    end = f"{b:%H:%M}" if b.date() == a.date() else f"{b:%a} {b.day:02d} {b:%b %H:%M}"
    return f"{a:%a} {a.day:02d} {a:%b %H:%M}–{end} {a.tzname()}"


def overlap_text(overlaps: list[Overlap]) -> str:
    """Each group, then each home date with its windows in every zone of the group."""
    lines: list[str] = []
    for o in overlaps:
        for_what = f" (for {', '.join(o.meetings)})" if o.meetings else ""
        lines.append(f"{', '.join(o.participants)}{for_what}")
        for d in o.days:
            day = f"{d.day:%a} {d.day.day:02d} {d.day:%b}"
            if not d.windows:
                lines.append(f"  {day}  no common window")
                continue
            for i, iv in enumerate(d.windows):
                zones = "  =  ".join(_range_text(iv, z) for z in o.zones)
                lines.append(
                    f"  {day if i == 0 else ' ' * len(day)}  {zones}  ({format_duration(iv.duration)})"
                )
        lines.append("")
    return "\n".join(lines).rstrip()


def overlap_json(overlaps: list[Overlap]) -> str:
    doc = [
        {
            "participants": list(o.participants),
            "meetings": list(o.meetings),
            "zones": list(o.zones),
            "days": [
                {
                    "date": d.day.isoformat(),
                    "windows": [
                        {
                            "start": utc_text(iv.start),
                            "end": utc_text(iv.end),
                            "local": {
                                z: [to_local(iv.start, z).isoformat(), to_local(iv.end, z).isoformat()]
                                for z in o.zones
                            },
                        }
                        for iv in d.windows
                    ],
                }
                for d in o.days
            ],
        }
        for o in overlaps
    ]
    return json.dumps(doc, ensure_ascii=False, indent=2)
