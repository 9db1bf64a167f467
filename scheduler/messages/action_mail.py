"""Edge glue: the action-item emails (the due-date reminder and the overdue nudge) and how an
item reads in a follow-up. Plain letters, in the owner's language: a Japanese reader gets the
Japanese text (where given) with the English below, as the other timed letters do.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from scheduler.core.actions import owner_of
from scheduler.core.models import Mission
from scheduler.core.timing import ActionItem
from scheduler.mail import timefmt


def day(d: date, lang: str) -> str:
    """`Monday, March 1, 2027` / `2027年3月1日月曜日`: a due date, which is already the reader's own."""
    return format_date(d, format="full", locale="ja_JP" if lang == "ja" else "en_CA")


def item_line(mission: Mission, item: ActionItem, language: str) -> str:
    """One item as a follow-up lists it: `Owner: text (due …) [done]`."""
    lang = timefmt.language_of(language)
    owner = owner_of(mission, item.owner)
    text = item.text_for(lang)
    who = f"{owner.recipient.name}: " if owner else ""
    if lang == "ja":
        when = f"（期限：{day(item.due, lang)}）" if item.due else ""
        state = "【完了】" if item.state == "done" else ""
        return f"{state}{who}{text}{when}"
    when = f" (due {day(item.due, lang)})" if item.due else ""
    state = " [done]" if item.state == "done" else ""
    return f"{who}{text}{when}{state}"


def reminder_text(
    mission: Mission, item: ActionItem, name: str, language: str, *, overdue: bool
) -> tuple[str, str]:
    """(subject, body) of the reminder on the due morning, or of the nudge once it is overdue."""
    meeting = mission.meeting(item.meeting_id)
    assert item.due is not None  # only dated items are reminded
    en_when = day(item.due, "en")
    en_lead = (
        f"the action item below was due on {en_when} and is still open."
        if overdue
        else f"the action item below is due today, {en_when}."
    )
    en = (
        f"Dear {name},\n\n"
        f'From "{meeting.title}", {en_lead}\n\n'
        f"  {item.text}\n\n"
        "When it is done, please mark it done from the link in your meeting emails,"
        " or just reply to this one.\n\n"
        f"{mission.organizer.name}\n{mission.name}\n"
    )
    subject = f"{'Overdue' if overdue else 'Due today'}: {item.text[:60]}"
    if timefmt.language_of(language) != "ja":
        return subject, en
    ja_when = day(item.due, "ja")
    ja_lead = (
        f"下記の対応事項は{ja_when}が期限でしたが、まだ完了しておりません。"
        if overdue
        else f"下記の対応事項は本日（{ja_when}）が期限です。"
    )
    ja = (
        f"{name} 様\n\n"
        f"「{meeting.title}」より、{ja_lead}\n\n"
        f"  {item.text_for('ja')}\n\n"
        "完了されましたら、会議のご案内メールのリンクから「完了」としていただくか、このメールにご返信ください。\n\n"
        f"{mission.organizer.name}\n{mission.name}\n"
    )
    body = ja + "\n" + "-" * 60 + "\n(English below / 以下、英文)\n\n" + en
    head = "【期限超過】" if overdue else "【本日期限】"
    return f"{head}{item.text_for('ja')[:40]} / {subject}", body


__all__ = ["day", "item_line", "reminder_text"]
