"""A Toronto–Tokyo mission for the mail tests, with a Japanese contact written the Japanese way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from scheduler.core.models import Contact, Mission
from tests.builders import counterpart, delegate, meeting, mission

# Monday 15 Feb 2027 20:00 EST in Toronto = Tuesday 16 Feb 10:00 JST in Tokyo.
FEB_START = datetime(2027, 2, 16, 1, tzinfo=UTC)
# Monday 15 Mar 2027 20:00 EDT in Toronto (clocks went forward on the 14th) = Tuesday 16 Mar 09:00 JST.
MAR_START = datetime(2027, 3, 16, 0, tzinfo=UTC)
BOOKED = datetime(2027, 2, 1, 12, tzinfo=UTC)  # before Toronto's switch to summer time


def trade_mission() -> Mission:
    brown = replace(delegate("brown", email="mayor@brampton.example.org"), name="Patrick Brown", role="Mayor")
    jetro = replace(
        counterpart(
            "jetro",
            contacts=[
                Contact(
                    name="山田 太郎", email="yamada@jetro.example.jp", language="ja", title="海外調査部 部長"
                )
            ],
        ),
        name="日本貿易振興機構（ジェトロ）",
    )
    m = replace(
        meeting("briefing", ["brown"], ["jetro"], resources=["interpreter"]),
        title="Briefing on Japan",
        purpose="Agree areas of collaboration.",
        agenda=("Investment outlook", "Japanese companies in Peel"),
        notes="Bring the brochure.",
        video_url="https://meet.example.org/briefing",
    )
    return replace(
        mission(delegates=[brown], counterparts=[jetro], meetings=[m], end=date(2027, 3, 26)),
        name="Brampton Virtual Mission to Japan",
    )


def span(start: datetime, minutes: int = 60) -> tuple[datetime, datetime]:
    return start, start + timedelta(minutes=minutes)
