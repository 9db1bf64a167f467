"""Run Mozilla's ical.js (tests/js/parse-ics.mjs) on an .ics and return what it read.

ical.js resolves a TZID only through the VTIMEZONE in the file, unlike `icalendar`, which uses
the system database for a known zone name: so it is the parser that can catch a wrong VTIMEZONE.

Node.js missing → the test is skipped with a message on a developer's machine, but fails where
`CI` or `SCHEDULER_REQUIRE_NODE` is set (`.ci/run` sets it): in CI the check must run. Node
present but `npm install` not run in tests/js → the test fails, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS_DIR / "parse-ics.mjs"


def node() -> str:
    """The `node` executable, or skip the test when Node.js is not installed."""
    exe = shutil.which("node")
    if exe is None:
        if os.environ.get("CI") or os.environ.get("SCHEDULER_REQUIRE_NODE"):
            pytest.fail("Node.js is not installed, and CI must run the ical.js checks: run `bash .ci/setup`")
        pytest.skip("Node.js is not installed: the ical.js checks need it (`bash .ci/setup` installs it)")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.fail(f"ical.js is not installed: run `npm install` in {JS_DIR}")
    return exe


def parse_with_icaljs(ics: bytes) -> dict[str, Any]:
    """ical.js's reading of `ics`: method, timezones and each VEVENT (UID, SEQUENCE, times...)."""
    done = subprocess.run(
        [node(), str(SCRIPT)], input=ics, capture_output=True, timeout=60, check=False, cwd=JS_DIR
    )
    if done.returncode != 0:
        raise AssertionError(f"ical.js refused the file: {done.stderr.decode(errors='replace').strip()}")
    return json.loads(done.stdout)


def utc(value: dict[str, Any]) -> datetime:
    """An instant printed by parse-ics.mjs ({"utc": "2027-03-15T23:00:00Z", ...}) as an aware datetime."""
    return datetime.fromisoformat(value["utc"])
