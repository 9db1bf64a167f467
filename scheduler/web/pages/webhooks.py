"""The coordinator's webhooks page of a mission (issue 16): endpoints, their delivery log, replay.

    GET  /missions/{id}/webhooks                     endpoints and their latest deliveries
    POST /missions/{id}/webhooks                     register one: the answer shows its secret, once
    POST /missions/{id}/webhooks/{e}/active          pause or resume an endpoint
    POST /missions/{id}/webhooks/{e}/delete          remove it with its log
    POST /missions/{id}/webhooks/{e}/replay          send one delivery (`webhook_id`) again

Server-rendered forms only: the page needs no script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.core.webhooks import EVENT_TYPES
from scheduler.errors import ConfigError
from scheduler.services import webhooks as hooks
from scheduler.web.deps import ServicesDep, SettingsDep, UserDep
from scheduler.web.pages.coordinator_common import lang_of, load, page, page_words, query
from scheduler.web.pages.forms import check_csrf
from scheduler.webhooks import check_url

router = APIRouter(include_in_schema=False)

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "webhooks": "Webhooks",
        "intro": "Each event of this mission is posted as JSON to the endpoints below, signed as the "
        "Standard Webhooks specification says. The schemas are in the API document (/docs).",
        "none": "No endpoint yet.",
        "add": "Add an endpoint",
        "url": "URL",
        "description": "Description",
        "events": "Events",
        "all_events": "every event (none ticked)",
        "register": "Add the endpoint",
        "secret_once": "The signing secret of {url}. It is shown this once: "
        "keep it where your receiver reads it.",
        "active": "active",
        "paused": "paused",
        "pause": "Pause",
        "resume": "Resume",
        "delete": "Delete",
        "deliveries": "Latest deliveries",
        "no_deliveries": "Nothing sent yet.",
        "event": "Event",
        "status": "Status",
        "tries": "Tries",
        "answer": "Last answer",
        "when": "Last try",
        "replay": "Send again",
        "st_queued": "queued",
        "st_sent": "delivered",
        "st_failed": "failed",
        "bad": "Not added: {why}",
        "done": "Done: {what}",
        "interrupted": "interrupted",
    },
    "ja": {
        "webhooks": "Webhook",
        "intro": "このミッションの各イベントは、Standard Webhooks 仕様に従って署名された JSON として"
        "下記のエンドポイントへ送信されます。スキーマは API ドキュメント（/docs）にあります。",
        "none": "エンドポイントはまだありません。",
        "add": "エンドポイントを追加",
        "url": "URL",
        "description": "説明",
        "events": "イベント",
        "all_events": "すべてのイベント（未選択時）",
        "register": "追加する",
        "secret_once": "{url} の署名シークレットです。表示は今回限りです。"
        "受信側で読める場所に保管してください。",
        "active": "有効",
        "paused": "一時停止中",
        "pause": "一時停止",
        "resume": "再開",
        "delete": "削除",
        "deliveries": "最近の送信",
        "no_deliveries": "まだ送信はありません。",
        "event": "イベント",
        "status": "状態",
        "tries": "試行回数",
        "answer": "最後の応答",
        "when": "最後の試行",
        "replay": "再送する",
        "st_queued": "送信待ち",
        "st_sent": "配信済み",
        "st_failed": "失敗",
        "bad": "追加できませんでした：{why}",
        "done": "完了：{what}",
        "interrupted": "中断",
    },
}


def words(lang: str) -> Callable[..., str]:
    return page_words(WORDS, lang)


def _page(
    request: Request, services: ServicesDep, user: Any, mission_id: int, lang: str, **extra: Any
) -> Response:
    data = load(services, mission_id)
    endpoints = hooks.endpoints(services, mission_id)
    ctx = {
        "user": user,
        "mission": data.mission,
        "mission_id": mission_id,
        "endpoints": [(e, hooks.deliveries(services, mission_id, e.id, limit=20)) for e in endpoints],
        "event_types": EVENT_TYPES,
        "home_tz": data.mission.timezone,
        "active": "webhooks",
        "here": query(f"/missions/{mission_id}/webhooks", lang=lang),
        "tw": words(lang),
        "done": "",
        "error": "",
        "secret": "",
        "secret_url": "",
        "form": {"url": "", "description": "", "events": []},
        **extra,
    }
    return page(request, "webhooks.html", ctx, lang=lang, status=422 if extra.get("error") else 200)


@router.get("/missions/{mission_id}/webhooks")
def webhooks_page(
    request: Request, mission_id: int, services: ServicesDep, user: UserDep, done: str = ""
) -> Response:
    return _page(request, services, user, mission_id, lang_of(request), done=done[:300])


@router.post("/missions/{mission_id}/webhooks", dependencies=[Depends(check_csrf)])
def add(
    request: Request,
    mission_id: int,
    services: ServicesDep,
    settings: SettingsDep,
    user: UserDep,
    url: Annotated[str, Form(max_length=2000)],
    description: Annotated[str, Form(max_length=300)] = "",
    events: Annotated[list[str] | None, Form()] = None,
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    """The answer is the page itself (not a redirect), so the secret is shown once and kept nowhere else."""
    chosen = events or []
    try:
        check_url(url.strip(), allow_private=settings.webhooks_allow_private)
        made = hooks.add_endpoint(
            services, mission_id, url=url.strip(), events=chosen, description=description
        )
    except ConfigError as exc:
        form = {"url": url, "description": description, "events": chosen}
        return _page(request, services, user, mission_id, lang, error=str(exc), form=form)
    return _page(request, services, user, mission_id, lang, secret=made.secret, secret_url=made.endpoint.url)


@router.post("/missions/{mission_id}/webhooks/{endpoint_id}/active", dependencies=[Depends(check_csrf)])
def set_active(
    mission_id: int,
    endpoint_id: int,
    services: ServicesDep,
    user: UserDep,
    active: Annotated[bool, Form()],
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    e = hooks.update_endpoint(services, mission_id, endpoint_id, active=active)
    said = words(lang)("active" if e.active else "paused")
    return RedirectResponse(
        query(f"/missions/{mission_id}/webhooks", lang=lang, done=f"{e.url}: {said}"), status_code=303
    )


@router.post("/missions/{mission_id}/webhooks/{endpoint_id}/delete", dependencies=[Depends(check_csrf)])
def delete(
    mission_id: int,
    endpoint_id: int,
    services: ServicesDep,
    user: UserDep,
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    e = hooks.endpoint(services, mission_id, endpoint_id)
    hooks.delete_endpoint(services, mission_id, endpoint_id)
    said = f"{words(lang)('delete')} {e.url}"
    return RedirectResponse(query(f"/missions/{mission_id}/webhooks", lang=lang, done=said), status_code=303)


@router.post("/missions/{mission_id}/webhooks/{endpoint_id}/replay", dependencies=[Depends(check_csrf)])
def replay(
    mission_id: int,
    endpoint_id: int,
    services: ServicesDep,
    user: UserDep,
    webhook_id: Annotated[str, Form(max_length=64)],
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    hooks.replay(services, mission_id, endpoint_id, webhook_id)
    said = f"{words(lang)('replay')}: {webhook_id}"
    return RedirectResponse(query(f"/missions/{mission_id}/webhooks", lang=lang, done=said), status_code=303)


__all__ = ["router"]
