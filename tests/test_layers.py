"""The layer rules of DESIGN.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "scheduler"

# layer → module prefixes it must not import
FORBIDDEN = {
    "core": [
        "scheduler.report",
        "scheduler.services",
        "scheduler.store",
        "scheduler.mail",
        "scheduler.ical",
        "scheduler.web",
        "scheduler.cli",
        "scheduler.app.jobs",
        "scheduler.mission.reader",
        "scheduler.ports",
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
    "services": [
        "scheduler.report",
        "scheduler.store",
        "scheduler.mail",
        "scheduler.ical",
        "scheduler.web",
        "smtplib",
        "sqlalchemy",
        "fastapi",
    ],
    "ical": ["scheduler.services", "scheduler.web", "scheduler.store", "scheduler.mail"],
    "mail": ["scheduler.services", "scheduler.web", "scheduler.store", "scheduler.ical"],
    "store": ["scheduler.services", "scheduler.web", "scheduler.mail", "scheduler.ical"],
    # issue 17: rendering the council report is an adapter like mail/ and ical/
    "report": [
        "scheduler.services",
        "scheduler.web",
        "scheduler.store",
        "scheduler.mail",
        "scheduler.ical",
        "scheduler.cli",
        "scheduler.app",
        "sqlalchemy",
        "fastapi",
    ],
}


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
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN), ids=str)
def test_layer_imports_only_what_it_may(layer: str) -> None:
    bad = []
    for path in modules(layer):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []
