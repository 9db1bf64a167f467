"""The agenda of a meeting as plain text, for an event's DESCRIPTION.

Calendar clients show DESCRIPTION as the event's notes, so it has to stand on its own: the
purpose, the time on both sides (the date often differs between Toronto and Tokyo), who takes
part with their roles, the agenda items, notes, the video link and the interpreter if booked.

Language: every attendee of one meeting gets the same calendar object (one UID, one SEQUENCE,
one `.ics` per meeting), so that a forwarded invitation, the attachment and the subscribed feed
all show the same event. When anyone invited to the meeting reads Japanese, the DESCRIPTION
is bilingual: the English agenda, then the same agenda in Japanese (Japanese labels and dates,
the Japanese side's clock first, organisation–title–name 様 for the guests). The texts a person
wrote in the mission file (title, purpose, agenda items, notes) are shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime

from babel.dates import format_datetime, get_timezone_location

from scheduler.core.models import Meeting, Mission, Participant
from scheduler.core.zones import to_local, zone

INTERPRETER = "interpreter"  # the resource name that means an interpreter is booked

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe to put in a calendar: line breaks kept as "\\n", other control characters dropped.

    A lone CR would be read as a line end by some parsers, and NUL or ESC mean nothing to anyone.
    """
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def city(zone_name: str) -> str:
    """ "America/Toronto" → "Toronto": how people name a zone."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def video_link(mission: Mission, meeting: Meeting) -> str:
    """The meeting's own video link, else the mission's default, else ""."""
    return meeting.video_url or mission.video_url


def meeting_zones(mission: Mission, meeting: Meeting) -> list[str]:
    """The home zone first, then every other zone of the meeting's participants, once each."""
    zones = [mission.timezone]
    for pid in meeting.invited:
        try:
            tz = mission.participant(pid).timezone
        except KeyError:
            continue
        if tz not in zones:
            zones.append(tz)
    return zones


def when_line(start: datetime, end: datetime, zones: Sequence[str]) -> str:
    """ "Mon 15 Mar 2027 19:00–20:00 EDT (Toronto) / Tue 16 Mar 2027 08:00–09:00 JST (Tokyo)"."""
    parts = []
    for z in zones:
        a, b = to_local(start, z), to_local(end, z)
        end_text = b.strftime("%H:%M") if b.date() == a.date() else b.strftime("%a %d %b %H:%M")
        if b.tzname() == a.tzname():
            parts.append(f"{a:%a %d %b %Y %H:%M}–{end_text} {a.tzname()} ({city(z)})")
        else:  # the clocks change during the meeting (a 01:00-02:00 on a fall-back night)
            parts.append(f"{a:%a %d %b %Y %H:%M} {a.tzname()}–{end_text} {b.tzname()} ({city(z)})")
    return " / ".join(parts)


def _known(mission: Mission, ids: Sequence[str]) -> Iterator[Participant]:
    """The participants of `ids`, skipping ids the mission does not know."""
    for pid in ids:
        try:
            yield mission.participant(pid)
        except KeyError:
            continue


def _who(mission: Mission, ids: Sequence[str]) -> list[str]:
    lines = []
    for p in _known(mission, ids):
        if p.kind == "delegate":
            lines.append(f"- {p.name}" + (f", {p.role}" if p.role else ""))
        else:
            people = "; ".join(c.name + (f", {c.title}" if c.title else "") for c in p.contacts)
            lines.append(f"- {p.name}" + (f": {people}" if people else ""))
    return lines


def agenda_text(
    mission: Mission,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    resources: Sequence[str] = (),
    *,
    japanese: bool | None = None,
) -> str:
    """The meeting's agenda as plain text with "\\n" line breaks (escaped later by the serialiser).

    `japanese`: add the Japanese version below the English one; by default, when anyone
    invited to the meeting reads Japanese (see the module docstring).
    """
    if japanese is None:
        japanese = any(_ja_side(mission, pid) for pid in meeting.invited)
    out = [meeting.title]
    if meeting.purpose:
        out += ["", f"Purpose: {meeting.purpose}"]
    out += ["", f"When: {when_line(start, end, meeting_zones(mission, meeting))}", "", "Participants"]
    out += _who(mission, meeting.delegates)
    out += _who(mission, meeting.counterparts)
    optional = _who(mission, meeting.optional)
    if optional:
        out += ["Optional:", *optional]
    out += _closing(mission, meeting, resources, _EN_LABELS)
    if japanese:
        out += ["", JA_DIVIDER, *_japanese(mission, meeting, start, end, resources)]
    return clean("\n".join(out))


JA_DIVIDER = "―" * 20 + "\n（日本語）"


def reads_japanese(language: str) -> bool:
    """True for "ja", "ja-JP", "ja_JP": a reader who gets Japanese text."""
    return (language or "").replace("_", "-").split("-")[0].lower() == "ja"


def _ja_range(start: datetime, end: datetime, zone_name: str) -> str:
    """ "2027年2月16日(火) 10:00–11:00 JST（東京）"; the end's date too when it is another day."""
    a, b = start.astimezone(zone(zone_name)), end.astimezone(zone(zone_name))
    day = "y年M月d日(EEE)"
    head = format_datetime(a, f"{day} HH:mm", locale="ja")
    tail = format_datetime(b, "HH:mm" if a.date() == b.date() else f"{day} HH:mm", locale="ja")
    where = get_timezone_location(zone(zone_name), locale="ja", return_city=True)
    if a.tzname() != b.tzname():
        return f"{head} {a.tzname()}–{tail} {b.tzname()}（{where}）"
    return f"{head}–{tail} {b.tzname()}（{where}）"


def _ja_who(mission: Mission, ids: Sequence[str], optional: bool) -> list[str]:
    mark = "（任意）" if optional else ""
    lines = []
    for p in _known(mission, ids):
        if p.kind == "delegate":
            lines.append(f"・{p.name}" + (f"（{p.role}）" if p.role else "") + mark)
        else:  # a guest: organisation, title, name, 様 (the order of a Japanese business letter)
            lines += [
                f"・{p.name} " + (f"{c.title} " if c.title else "") + f"{c.name} 様{mark}" for c in p.contacts
            ] or [f"・{p.name}{mark}"]
    return lines


def _japanese(
    mission: Mission, meeting: Meeting, start: datetime, end: datetime, resources: Sequence[str]
) -> list[str]:
    zones = meeting_zones(mission, meeting)
    # The clock of the Japanese-reading side first (Tokyo), then the others.
    ja_zones = {mission.participant(pid).timezone for pid in meeting.invited if _ja_side(mission, pid)}
    zones = sorted(zones, key=lambda z: z not in ja_zones)
    out = [meeting.title]
    if meeting.purpose:
        out += ["", f"目的：{meeting.purpose}"]
    out += ["", "日時：", *(_ja_range(start, end, z) for z in zones), "", "出席者："]
    out += _ja_who(mission, meeting.delegates, False)
    out += _ja_who(mission, meeting.counterparts, False)
    out += _ja_who(mission, meeting.optional, True)
    out += _closing(mission, meeting, resources, _JA_LABELS)
    return out


# The headings of the agenda's closing part: agenda, notes, video link, interpreter, organizer.
_EN_LABELS = (
    "Agenda",
    "Notes",
    "Video link: ",
    "Interpreter: an English–Japanese interpreter is booked for this meeting.",
    "Organizer: ",
)
_JA_LABELS = ("議題：", "備考：", "ビデオ会議：", "通訳：日英通訳を手配しております。", "主催：")


def _closing(
    mission: Mission, meeting: Meeting, resources: Sequence[str], labels: tuple[str, str, str, str, str]
) -> list[str]:
    """Agenda items, notes, video link, interpreter and organizer: the same part in either language."""
    agenda, notes, video, interpreter, organizer = labels
    out: list[str] = []
    if meeting.agenda:
        out += ["", agenda, *(f"{i}. {item}" for i, item in enumerate(meeting.agenda, 1))]
    if meeting.notes:
        out += ["", notes, meeting.notes]
    link = video_link(mission, meeting)
    if link:
        out += ["", f"{video}{link}"]
    if INTERPRETER in resources:
        out += ["", interpreter]
    out += ["", f"{organizer}{mission.organizer.name} <{mission.organizer.email}>"]
    return out


def _ja_side(mission: Mission, pid: str) -> bool:
    try:
        p = mission.participant(pid)
    except KeyError:
        return False
    if p.kind == "delegate":
        return reads_japanese(p.language)
    return any(reads_japanese(c.language) for c in p.contacts)


__all__ = [
    "INTERPRETER",
    "JA_DIVIDER",
    "agenda_text",
    "city",
    "clean",
    "meeting_zones",
    "reads_japanese",
    "video_link",
    "when_line",
]
