"""Helpers of the coordinator pages' browser tests: Chromium, the login, axe-core.

axe-core comes from npm (tests/js/package.json, installed by .ci/setup) and is injected
into each page with Playwright's `add_script_tag`; nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.web.conftest import EMAIL, PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
DOCS = ROOT / "docs"

_RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@contextmanager
def chromium_context(**options: Any) -> Iterator[Any]:
    """Debian's Chromium with one browser context (`locale`, `timezone_id`, `viewport`, …)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser.new_context(**options)
        finally:
            browser.close()


def log_in(page: Any, base: str, path: str) -> None:
    """Open `path`, which sends the browser to the login page, log in and come back to it."""
    page.goto(f"{base}{path}")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{path}")


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return [v for v in found if v["impact"] in ("serious", "critical")]


__all__ = ["ARGS", "AXE", "CHROMIUM", "DOCS", "chromium_context", "log_in", "serious_violations"]
