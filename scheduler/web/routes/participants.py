"""Delegates, counterparts and a counterpart's contacts: create, read, update, delete.

A participant that a meeting still names cannot be removed: the mission-file check says which
meeting names it (422).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from scheduler.errors import NotFound
from scheduler.web import definitions
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import (
    ContactCreate,
    ContactUpdate,
    CounterpartCreate,
    CounterpartUpdate,
    DelegateCreate,
    DelegateUpdate,
)

router = APIRouter()
Table = dict[str, Any]


def _list(services: ServicesDep, mission_id: int, kind: str) -> list[Table]:
    return definitions.load(services, mission_id)[kind]  # type: ignore[no-any-return]


def _get(services: ServicesDep, mission_id: int, kind: str, pid: str) -> Table:
    items = _list(services, mission_id, kind)
    return items[definitions.find(items, "id", pid, kind[:-1])]


def _create(services: ServicesDep, mission_id: int, kind: str, table: Table) -> Table:
    doc = definitions.load(services, mission_id)
    doc[kind].append(table)
    definitions.save(services, mission_id, doc)
    return _get(services, mission_id, kind, table["id"])


def _update(services: ServicesDep, mission_id: int, kind: str, pid: str, changes: Table) -> Table:
    doc = definitions.load(services, mission_id)
    i = definitions.find(doc[kind], "id", pid, kind[:-1])
    doc[kind][i] = definitions.merge(doc[kind][i], changes)
    definitions.save(services, mission_id, doc)
    return _get(services, mission_id, kind, pid)


def _delete(services: ServicesDep, mission_id: int, kind: str, pid: str) -> Response:
    doc = definitions.load(services, mission_id)
    del doc[kind][definitions.find(doc[kind], "id", pid, kind[:-1])]
    definitions.save(services, mission_id, doc)
    return Response(status_code=204)


# --- delegates -----------------------------------------------------------------------------------
@router.get("/missions/{mission_id}/delegates", tags=["delegates"])
def list_delegates(mission_id: int, services: ServicesDep) -> list[Table]:
    return _list(services, mission_id, "delegates")


@router.post("/missions/{mission_id}/delegates", status_code=201, tags=["delegates"])
def create_delegate(mission_id: int, body: DelegateCreate, services: ServicesDep) -> Table:
    return _create(services, mission_id, "delegates", body.model_dump(mode="json", exclude_none=True))


@router.get("/missions/{mission_id}/delegates/{pid}", tags=["delegates"])
def get_delegate(mission_id: int, pid: str, services: ServicesDep) -> Table:
    return _get(services, mission_id, "delegates", pid)


@router.patch("/missions/{mission_id}/delegates/{pid}", tags=["delegates"])
def update_delegate(mission_id: int, pid: str, body: DelegateUpdate, services: ServicesDep) -> Table:
    return _update(services, mission_id, "delegates", pid, body.model_dump(mode="json", exclude_unset=True))


@router.delete("/missions/{mission_id}/delegates/{pid}", status_code=204, tags=["delegates"])
def delete_delegate(mission_id: int, pid: str, services: ServicesDep) -> Response:
    return _delete(services, mission_id, "delegates", pid)


# --- counterparts --------------------------------------------------------------------------------
@router.get("/missions/{mission_id}/counterparts", tags=["counterparts"])
def list_counterparts(mission_id: int, services: ServicesDep) -> list[Table]:
    return _list(services, mission_id, "counterparts")


@router.post("/missions/{mission_id}/counterparts", status_code=201, tags=["counterparts"])
def create_counterpart(mission_id: int, body: CounterpartCreate, services: ServicesDep) -> Table:
    return _create(services, mission_id, "counterparts", body.model_dump(mode="json", exclude_none=True))


@router.get("/missions/{mission_id}/counterparts/{pid}", tags=["counterparts"])
def get_counterpart(mission_id: int, pid: str, services: ServicesDep) -> Table:
    return _get(services, mission_id, "counterparts", pid)


@router.patch("/missions/{mission_id}/counterparts/{pid}", tags=["counterparts"])
def update_counterpart(mission_id: int, pid: str, body: CounterpartUpdate, services: ServicesDep) -> Table:
    changes = body.model_dump(mode="json", exclude_unset=True)
    return _update(services, mission_id, "counterparts", pid, changes)


@router.delete("/missions/{mission_id}/counterparts/{pid}", status_code=204, tags=["counterparts"])
def delete_counterpart(mission_id: int, pid: str, services: ServicesDep) -> Response:
    return _delete(services, mission_id, "counterparts", pid)


# --- contacts ------------------------------------------------------------------------------------
def _contacts(services: ServicesDep, mission_id: int, pid: str) -> list[Table]:
    return _get(services, mission_id, "counterparts", pid).get("contacts", [])  # type: ignore[no-any-return]


def _set_contacts(services: ServicesDep, mission_id: int, pid: str, contacts: list[Table]) -> None:
    doc = definitions.load(services, mission_id)
    i = definitions.find(doc["counterparts"], "id", pid, "counterpart")
    doc["counterparts"][i]["contacts"] = contacts
    definitions.save(services, mission_id, doc)


def _at(contacts: list[Table], index: int, pid: str) -> Table:
    if not 0 <= index < len(contacts):
        raise NotFound(f"counterpart {pid!r} has no contact {index} (it has {len(contacts)})")
    return contacts[index]


@router.get("/missions/{mission_id}/counterparts/{pid}/contacts", tags=["contacts"])
def list_contacts(mission_id: int, pid: str, services: ServicesDep) -> list[Table]:
    return _contacts(services, mission_id, pid)


@router.post("/missions/{mission_id}/counterparts/{pid}/contacts", status_code=201, tags=["contacts"])
def create_contact(mission_id: int, pid: str, body: ContactCreate, services: ServicesDep) -> list[Table]:
    contacts = [*_contacts(services, mission_id, pid), body.model_dump(mode="json")]
    _set_contacts(services, mission_id, pid, contacts)
    return _contacts(services, mission_id, pid)


@router.get("/missions/{mission_id}/counterparts/{pid}/contacts/{index}", tags=["contacts"])
def get_contact(mission_id: int, pid: str, index: int, services: ServicesDep) -> Table:
    return _at(_contacts(services, mission_id, pid), index, pid)


@router.patch("/missions/{mission_id}/counterparts/{pid}/contacts/{index}", tags=["contacts"])
def update_contact(
    mission_id: int, pid: str, index: int, body: ContactUpdate, services: ServicesDep
) -> Table:
    contacts = _contacts(services, mission_id, pid)
    contacts[index] = definitions.merge(
        _at(contacts, index, pid), body.model_dump(mode="json", exclude_unset=True)
    )
    _set_contacts(services, mission_id, pid, contacts)
    return _contacts(services, mission_id, pid)[index]


@router.delete(
    "/missions/{mission_id}/counterparts/{pid}/contacts/{index}", status_code=204, tags=["contacts"]
)
def delete_contact(mission_id: int, pid: str, index: int, services: ServicesDep) -> Response:
    contacts = _contacts(services, mission_id, pid)
    _at(contacts, index, pid)
    del contacts[index]
    _set_contacts(services, mission_id, pid, contacts)
    return Response(status_code=204)
