"""The words of the action-item section of a counterpart's booked link, in English and Japanese."""

from __future__ import annotations

ITEM_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Action items",
        "none": "No action items yet.",
        "owner": "Who",
        "due": "Due",
        "state": "State",
        "open": "open",
        "done": "done",
        "mark_done": "Mark done",
        "note": "Note (optional)",
        "marked": "Thank you: the item is marked done, and the organiser can see it.",
    },
    "ja": {
        "title": "対応事項",
        "none": "対応事項はまだありません。",
        "owner": "担当",
        "due": "期限",
        "state": "状態",
        "open": "未完了",
        "done": "完了",
        "mark_done": "完了にする",
        "note": "メモ（任意）",
        "marked": "ありがとうございます。完了として記録し、主催者にも表示されます。",
    },
}

__all__ = ["ITEM_STRINGS"]
