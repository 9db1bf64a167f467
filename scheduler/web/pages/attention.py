"""The coordinator's attention queue: what needs a person, and the action that resolves each item.

    GET  /missions/{id}/attention             open items (?all=1: resolved ones too)
    POST /missions/{id}/attention/{item}      take an action (propose, cancel, send, dismiss)
    POST /missions/{id}/propose-all           offer times for every meeting not yet offered

Rescheduling is done on the meeting page; the item links there and closes with the booking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.services.attention import attention_items, negotiation, resolve
from scheduler.services.proposals import propose_all
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.coordinator_common import lang_of, load, page, page_words, query
from scheduler.web.pages.forms import check_csrf

router = APIRouter(include_in_schema=False)

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "attention": "Needs attention",
        "none": "Nothing needs your attention.",
        "policy": "Each open proposal keeps at least {n} options; new times are {mode}.",
        "auto": "sent to the counterpart at once",
        "approve": "suggested here for you to send",
        "their_note": "Their note",
        "their_times": "Times they can do",
        "reasons": "Why",
        "competing": "Competing times",
        "note": "Note (optional)",
        "kind_declined": "None of the times work",
        "kind_change-requested": "Asks to reschedule",
        "kind_cancel-requested": "Asks to cancel",
        "kind_exhausted": "Ran out of times",
        "kind_approve-options": "New times to send",
        "kind_delivery-failed": "A message was not delivered",
        "kind_conflict": "Offered times compete",
        "act_propose": "Propose new times",
        "act_reschedule": "Reschedule on the meeting page",
        "act_cancel": "Cancel the meeting",
        "act_send": "Send these times",
        "act_resend": "Send it again",
        "act_dismiss": "Dismiss",
        "resolved": "Resolved",
        "show_all": "Show resolved items too",
        "propose_all": "Offer times for every meeting not yet offered",
        "done": "Done: {what}",
        "offered": "Times offered for {n} meetings.",
        "skipped": "No time for: {ids}",
        "raised": "Raised {when}",
    },
    "ja": {
        "attention": "要対応",
        "none": "対応が必要な項目はありません。",
        "policy": "各提案は常に{n}件以上の候補を保ちます。新しい候補は{mode}。",
        "auto": "先方へすぐに送られます",
        "approve": "ここに提示され、送信の判断を待ちます",
        "their_note": "先方のコメント",
        "their_times": "先方のご都合のよい時間",
        "reasons": "理由",
        "competing": "競合する候補",
        "note": "メモ（任意）",
        "kind_declined": "どの候補も不可",
        "kind_change-requested": "日程変更のご依頼",
        "kind_cancel-requested": "取り消しのご依頼",
        "kind_exhausted": "候補がなくなりました",
        "kind_approve-options": "送信待ちの新しい候補",
        "kind_delivery-failed": "メールが届きませんでした",
        "kind_conflict": "候補どうしが競合しています",
        "act_propose": "新しい候補を提案",
        "act_reschedule": "会議ページで日程を変更",
        "act_cancel": "会議を取り消す",
        "act_send": "この候補を送る",
        "act_resend": "再送する",
        "act_dismiss": "対応済みにする",
        "resolved": "対応済み",
        "show_all": "対応済みの項目も表示",
        "propose_all": "未提案のすべての会議に候補を送る",
        "done": "完了：{what}",
        "offered": "{n}件の会議に候補を送りました。",
        "skipped": "候補が見つからない会議：{ids}",
        "raised": "{when}に発生",
    },
}


def words(lang: str) -> Callable[..., str]:
    """The page's words in `lang` (English where a word is missing), with `{name}` filled in."""
    return page_words(WORDS, lang)


def _times(spans: list[list[str]]) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in spans]


@router.get("/missions/{mission_id}/attention")
def attention_page(
    request: Request, mission_id: int, services: ServicesDep, user: UserDep, all: str = "", done: str = ""
) -> Response:
    data = load(services, mission_id)
    lang = lang_of(request)
    items = attention_items(services, mission_id, open_only=not all)
    shown = [
        {
            "item": i,
            "windows": _times(list(i.detail.get("windows") or [])),
            "options": _times(list(i.detail.get("options") or [])),
            "pairs": [
                (a, datetime.fromisoformat(sa), b, datetime.fromisoformat(sb))
                for a, sa, b, sb in i.detail.get("pairs") or []
            ],
            "reasons": list(i.detail.get("reasons") or []),
        }
        for i in items
    ]
    other = next((p.timezone for p in data.mission.counterparts if p.timezone != data.mission.timezone), None)
    ctx = {
        "user": user,
        "mission": data.mission,
        "mission_id": mission_id,
        "items": shown,
        "policy": negotiation(services, mission_id),
        "home_tz": data.mission.timezone,
        "other_tz": other or data.mission.timezone,
        "show_all": bool(all),
        "done": done[:300],
        "active": "attention",
        "here": query(request.url.path, lang=lang),
        "ta": words(lang),
    }
    return page(request, "attention.html", ctx, lang=lang)


@router.post("/missions/{mission_id}/attention/{item_id}", dependencies=[Depends(check_csrf)])
def act(
    mission_id: int,
    item_id: int,
    services: ServicesDep,
    user: UserDep,
    action: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    item = resolve(services, mission_id, item_id, action, note=note)
    back = query(f"/missions/{mission_id}/attention", lang=lang, done=item.resolution or action)
    return RedirectResponse(back, status_code=303)


@router.post("/missions/{mission_id}/propose-all", dependencies=[Depends(check_csrf)])
def offer_all(
    mission_id: int,
    services: ServicesDep,
    user: UserDep,
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    batch = propose_all(services, mission_id)
    said = words(lang)("offered", n=len(batch.created))
    if batch.skipped:
        said += " " + words(lang)("skipped", ids=", ".join(mid for mid, _ in batch.skipped))
    return RedirectResponse(query(f"/missions/{mission_id}/attention", lang=lang, done=said), status_code=303)


__all__ = ["router"]
