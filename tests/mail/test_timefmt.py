"""Both sides' local times, the date change and the daylight-saving warning, per language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.mail.timefmt import both_sides, dst_changes, dst_warning, language_of
from tests.mail.missions import BOOKED, FEB_START, MAR_START

TORONTO, TOKYO = "America/Toronto", "Asia/Tokyo"


def test_english_reader_sees_toronto_first_and_tokyos_next_day_beside_it() -> None:
    text = both_sides(FEB_START, FEB_START + timedelta(hours=1), TORONTO, TOKYO, "en")
    assert text == "Mon 15 Feb 2027 20:00–21:00 EST (Tokyo: Tue 16 Feb 10:00 JST)"


def test_japanese_reader_sees_tokyo_first_and_torontos_previous_day_beside_it() -> None:
    text = both_sides(FEB_START, FEB_START + timedelta(hours=1), TOKYO, TORONTO, "ja")
    assert text == "2027年2月16日(火) 10:00–11:00 JST（トロント 2月15日(月) 20:00 EST）"


@pytest.mark.parametrize(
    ("start", "zone_name"),
    [(FEB_START, TORONTO), (MAR_START, TORONTO), (FEB_START, TOKYO), (MAR_START, TOKYO)],
    ids=["feb-toronto", "mar-toronto", "feb-tokyo", "mar-tokyo"],
)
def test_local_time_follows_the_zone_database_on_both_sides_of_the_switch(
    start: datetime, zone_name: str
) -> None:
    local = start.astimezone(ZoneInfo(zone_name))
    text = both_sides(start, start + timedelta(hours=1), zone_name, None, "en")
    assert text.startswith(f"{local:%a} {local.day} {local:%b %Y %H:%M}–")
    assert text.endswith(f" {local.tzname()}")


def test_a_meeting_after_torontos_switch_warns_that_the_gap_to_tokyo_shrinks_to_13_hours() -> None:
    changes = dst_changes(BOOKED, MAR_START, TORONTO, TOKYO)
    assert [(c.zone, c.before, c.after) for c in changes] == [(TORONTO, "EST", "EDT")]
    assert changes[0].at == datetime(2027, 3, 14, 7, tzinfo=UTC)  # 02:00 EST
    en = dst_warning(changes[0], "en")
    assert "14 h to 13 h" in en
    assert "Sun 14 Mar 2027" in en
    ja = dst_warning(changes[0], "ja")
    assert "14時間から13時間" in ja
    assert "夏時間が始まり" in ja


def test_no_warning_when_no_clock_changes_before_the_meeting() -> None:
    assert dst_changes(BOOKED, FEB_START, TORONTO, TOKYO) == []
    assert dst_changes(datetime(2027, 3, 15, tzinfo=UTC), MAR_START, TORONTO, TOKYO) == []


def test_autumn_switch_is_named_as_the_end_of_summer_time() -> None:
    changes = dst_changes(
        datetime(2027, 10, 1, tzinfo=UTC), datetime(2027, 11, 10, tzinfo=UTC), TOKYO, TORONTO
    )
    assert [(c.before, c.after, c.starts_summer_time) for c in changes] == [("EDT", "EST", False)]
    assert "13 h to 14 h" in dst_warning(changes[0], "en")


@pytest.mark.parametrize(("code", "lang"), [("ja", "ja"), ("ja-JP", "ja"), ("en-CA", "en"), ("fr", "en")])
def test_unsupported_languages_fall_back_to_english(code: str, lang: str) -> None:
    assert language_of(code) == lang
