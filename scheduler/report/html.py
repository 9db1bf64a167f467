"""The report as one printable HTML page (`templates/report/mission.html`), autoescaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.core.report import REPORT_STATES, Report
from scheduler.core.timing import ITEM_STATES
from scheduler.report import text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "report"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(times=text.times, person=text.person, city=text.city)
    return env


def render_html(report: Report) -> str:
    return (
        _environment()
        .get_template("mission.html")
        .render(r=report, states=REPORT_STATES, item_states=ITEM_STATES)
    )


__all__ = ["render_html"]
