"""The coordinator's email about a new attention item: what happened, the counterpart's words, what to do."""

from __future__ import annotations

from datetime import datetime

from scheduler.core.attention import AttentionItem
from scheduler.core.models import Mission
from scheduler.mail import timefmt
from scheduler.messages.timed import message_id, organizer_recipient, plain_letter
from scheduler.ports import Envelope

ACTION_WORDS = {
    "propose": "propose new times (from the counterpart's windows when given)",
    "reschedule": "move the meeting",
    "cancel": "cancel the meeting",
    "send": "send the suggested times",
    "resend": "send the message again",
    "dismiss": "dismiss with a note",
}


def attention_letter(mission: Mission, item: AttentionItem, *, now: datetime) -> Envelope:
    """One email per item to the organizer, with a Message-ID fixed by the item (a retry keeps it)."""
    tz = mission.timezone
    lines = [f"{mission.name}: needs your attention", "", item.summary, ""]
    if item.note:
        lines += ["Their note:", item.note, ""]
    windows = item.detail.get("windows") or []
    if windows:
        lines.append("Times they said they can do:")
        for start, end in windows:
            a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
            other = next((p.timezone for p in mission.counterparts if p.timezone != tz), None)
            lines.append(f"- {timefmt.both_sides(a, b, tz, other, 'en')}")
        lines.append("")
    for reason in item.detail.get("reasons") or []:
        lines.append(f"Why: {reason}")
    lines.append("What you can do: " + "; ".join(ACTION_WORDS[a] for a in item.actions) + ".")
    lines.append(f"Open the mission's attention list: /missions/{item.mission_id}/attention")
    subject = f"Needs attention: {item.summary}"
    key = f"attention:m{item.mission_id}:{item.id}"
    return plain_letter(
        mission,
        organizer_recipient(mission),
        subject,
        "\n".join(lines) + "\n",
        message_id(mission, "attention", key),
        now,
    )


__all__ = ["attention_letter"]
