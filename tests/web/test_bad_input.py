"""Bad input to every API route: 422 with a JSON body whose `errors` name the offending field.

The routes are read from the app's own OpenAPI document, so a new route is covered as soon as
it exists: each path parameter `mission_id` given a word, and each property of each request
body given a value of the wrong type.
"""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Web


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _resolve(spec, spec["components"]["schemas"][name])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _resolve(spec, next(s for s in schema[key] if s.get("type") != "null"))
    return schema


def _wrong(schema: dict[str, Any]) -> Any:
    """A value of the wrong JSON type for `schema`."""
    return "not-a-list-or-object" if schema.get("type") in ("object", "array") else {"wrong": "type"}


def _routes(web: Web) -> list[tuple[str, str, dict[str, Any]]]:
    spec = web.app.openapi()
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            out.append((method.upper(), path, op))
    return out


def _concrete(web: Web, path: str, **values: str) -> str:
    defaults = {
        "mission_id": str(web.mission_id),
        "pid": "jetro",
        "meeting_id": "jetro-briefing",
        "name": "bridge",
        "index": "0",
        "proposal_id": "1",
    }
    for key, value in {**defaults, **values}.items():
        path = path.replace("{" + key + "}", value)
    return path


def _fields(r: Any) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["detail"]
    return [e["field"] for e in body["errors"]]


def test_a_mission_id_that_is_not_a_number_is_422_naming_it(web: Web) -> None:
    checked = 0
    for method, path, _ in _routes(web):
        if "{mission_id}" not in path:
            continue
        r = web.client.request(method, _concrete(web, path, mission_id="abc"), headers=web.auth, json={})
        assert "mission_id" in _fields(r), (method, path)
        checked += 1
    assert checked >= 35


def test_every_request_body_field_of_the_wrong_type_is_422_naming_it(web: Web) -> None:
    spec = web.app.openapi()
    checked = 0
    for method, path, op in _routes(web):
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        schema = _resolve(spec, content["schema"])
        for prop, prop_schema in schema.get("properties", {}).items():
            body = {prop: _wrong(_resolve(spec, prop_schema))}
            r = web.client.request(method, _concrete(web, path), headers=web.auth, json=body)
            fields = _fields(r)
            assert any(f == prop or f.startswith((f"{prop}.", f"{prop}[")) for f in fields), (
                method,
                path,
                prop,
                fields,
            )
            checked += 1
    assert checked >= 60


def test_a_body_that_is_not_json_is_422(web: Web) -> None:
    r = web.client.post(
        f"/api/missions/{web.mission_id}/find-times",
        headers={**web.auth, "content-type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422
    assert r.json()["errors"]
