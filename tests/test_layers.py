"""The layer rules of docs/architecture.md, checked by walking every module's imports.

Each layer names the packages of `scheduler` it may import (its own always allowed); any other
`scheduler.*` import is a breach. The lower layers also keep away from the frameworks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "scheduler"

BASE = {"errors", "ports"}
ADAPTERS = {"core", "services", "ical", "mail", "store", "report", "mission", "messages", "webhooks", *BASE}
# layer → the scheduler packages it may import, lowest layer first
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "ports": {"core", "errors"},  # Protocols over the core's values (intervals for busy sources)
    "core": {"errors"},
    "services": {"core", *BASE},
    "ical": {"core", *BASE},
    "mail": {"core", *BASE},
    "store": {"core", *BASE},
    "report": {"core", *BASE},  # the council report rendered (HTML/PDF, CSV, XLSX): an adapter
    "mission": {"core", "ical", *BASE},
    "messages": {"core", "ical", "mail", *BASE},
    "webhooks": {"core", *BASE},  # signing (Standard Webhooks), the address guard, the HTTP sender
    "web": ADAPTERS,
    "app": {*ADAPTERS, "web"},
    "cli": {*ADAPTERS, "web", "app"},
}
# layer → libraries it must not import (the pure core and the use cases stay framework-free)
FORBIDDEN_LIBRARIES = {
    "core": [
        "fastapi",
        "pydantic",
        "sqlalchemy",
        "icalendar",
        "jinja2",
        "apscheduler",
        "smtplib",
        "email",
        "starlette",
        "uvicorn",
        "babel",
    ],
    "services": ["smtplib", "sqlalchemy", "fastapi", "icalendar", "jinja2"],
    "report": ["sqlalchemy", "fastapi"],
}
TOP_MODULES = {"__init__.py", "__main__.py", "errors.py", "ports.py"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(layer: str) -> list[Path]:
    single = ROOT / f"{layer}.py"
    return [single] if single.exists() else sorted((ROOT / layer).rglob("*.py"))


def package_of(name: str) -> str | None:
    """`scheduler.store.tables` → `store`; None for anything outside `scheduler`."""
    parts = name.split(".")
    if parts[0] != "scheduler":
        return None
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("layer", sorted(ALLOWED), ids=str)
def test_layer_imports_only_what_it_may(layer: str) -> None:
    bad = []
    for path in modules(layer):
        for name in imports_of(path):
            package = package_of(name)
            if package is not None and package not in ALLOWED[layer] | {layer}:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_LIBRARIES.get(layer, [])):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - set(ALLOWED) == set()


def test_the_top_of_the_package_is_packages_and_three_modules() -> None:
    loose = {p.name for p in ROOT.glob("*.py")}
    assert loose == TOP_MODULES
