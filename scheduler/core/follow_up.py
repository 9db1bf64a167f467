"""A follow-up meeting from a meeting: same people, an agenda from its open action items.

Pure. The follow-up gets the original's delegates, counterparts, optional guests, duration,
resources and video link; its title says what it follows up; its agenda lists the original's
open action items (owner, text, due date); it has an `after` rule on the original; and it
may be held from the day after the original (or after `earliest`, whichever is later) for
`window` days.

Follow-ups usually fall after the mission's own dates ("post-mission work"). The mission's
window grows to hold them rather than a new mission being made: the `after` rule, the people
with their busy calendars and hours, the timing settings and the council report all belong
to one mission, and the report then shows the follow-through beside the meetings it came
from. `mission.end` moves to the follow-up's last date when that is later (never earlier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from scheduler.core.actions import owner_of
from scheduler.core.models import Meeting, Mission
from scheduler.core.timing import ActionItem

WINDOW = timedelta(days=28)
MAX_ID = 100


def follow_up_id(original: str, taken: Sequence[str]) -> str:
    """`jeita-meeting-follow-up`, then `…-follow-up-2`, … : the first id not taken."""
    base = f"{original[: MAX_ID - 13]}-follow-up"
    n, candidate = 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def agenda_line(mission: Mission, item: ActionItem) -> str:
    """`Watanabe Kenta: Send the sector study (due 2027-03-01)`."""
    owner = owner_of(mission, item.owner)
    who = f"{owner.recipient.name}: " if owner else ""
    due = f" (due {item.due.isoformat()})" if item.due else ""
    return f"{who}{item.text}{due}"


def follow_up(
    mission: Mission,
    original_id: str,
    items: Sequence[ActionItem],
    *,
    held_on: date | None,
    earliest: date,
    window: timedelta = WINDOW,
) -> tuple[Mission, Meeting]:
    """The mission with the follow-up of `original_id` added (and its end moved when needed).

    `held_on`: the original's date in the mission's zone (None when it is not booked);
    `earliest`: the first date a new meeting may be proposed for (today plus the notice).
    """
    original = mission.meeting(original_id)
    first = max(earliest, (held_on + timedelta(days=1)) if held_on else earliest)
    last = first + window - timedelta(days=1)
    open_items = [a for a in items if a.state == "open"]
    meeting = Meeting(
        id=follow_up_id(original.id, [m.id for m in mission.meetings]),
        title=f"Follow-up: {original.title}",
        delegates=original.delegates,
        counterparts=original.counterparts,
        optional=original.optional,
        duration=original.duration,
        priority=original.priority,
        after=(original.id,),
        resources=original.resources,
        not_before=first,
        not_after=last,
        purpose=f"Follow up on {original.title}: the action items still open.",
        agenda=tuple(agenda_line(mission, a) for a in open_items) or ("Review of the previous meeting",),
        notes=f"Follow-up of {original.id}.",
        video_url=original.video_url,
    )
    grown = replace(mission, meetings=(*mission.meetings, meeting), end=max(mission.end, last))
    return grown, meeting


__all__ = ["WINDOW", "agenda_line", "follow_up", "follow_up_id"]
