"""Every real calendar file of tests/data/real: our busy time equals icalendar + recurring-ical-events.

The files come from the test suites of calendar libraries and servers (SOURCES.md). A file listed
in KNOWN.md differs for the reason given there, and the test checks it still does; a file the
reference cannot read must still be read by ours (broken parts skipped with a warning).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.ical.corpus_support import REAL, corpus, ours, reference, window_of

FILES = corpus()
_ROW = re.compile(r"^\| ([^ |]+\.ics) \|", re.MULTILINE)


def _known() -> tuple[set[str], set[str]]:
    text = (REAL / "KNOWN.md").read_text(encoding="utf-8")
    differ, unreadable = text.split("## The reference cannot read these")
    return set(_ROW.findall(differ)), set(_ROW.findall(unreadable))


DIFFER, UNREADABLE = _known()


def test_the_corpus_is_large_and_every_file_has_a_source() -> None:
    sources = set(_ROW.findall((REAL / "SOURCES.md").read_text(encoding="utf-8")))
    assert len(FILES) >= 100
    assert {p.name for p in FILES} == sources
    assert sources >= (DIFFER | UNREADABLE)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_file_gives_the_reference_busy_time(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = path.read_bytes()
    window = window_of(data)
    with caplog.at_level(logging.CRITICAL, logger="scheduler.ical.busy"):
        got = ours(data, window)  # never refused: broken parts are skipped
    if path.name in UNREADABLE:
        with pytest.raises(Exception):  # noqa: B017, PT011 (whatever the reference raises)
            reference(data, window)
        return
    expected = reference(data, window)
    if path.name in DIFFER:
        assert list(got) != list(expected), "now agrees: remove it from KNOWN.md"
    else:
        assert list(got) == list(expected)
