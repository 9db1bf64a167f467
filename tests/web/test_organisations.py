"""Organisations remember: a counterpart's page spans missions, and a second mission starts from
what the first one left (its open action items are the next step)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from scheduler.core.organisations import org_key
from scheduler.services import import_mission
from tests.web.conftest import Web, sample_mission
from tests.web.test_coordinator_pages import _log_in

JEITA = "Japan Electronics and Information Technology Industries Association (JEITA)"


def test_an_organisations_page_spans_missions_and_names_the_next_step(web: Web) -> None:
    found = web.api("POST", "/find-times", json={"meeting_id": "jeita-meeting"}).json()
    start = found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]["dateTime"] + "+00:00"
    assert web.api("POST", "/meetings/jeita-meeting/booking", json={"start": start}).status_code in (200, 201)
    for body in (
        {
            "text": "Send the sector study",
            "text_ja": "業界調査を送付",
            "owner": "watanabe@jeita.example.jp",
            "due_date": "2027-03-01",
        },
        {"text": "Introduce the incubator", "owner": "santos"},
    ):
        assert web.api("POST", "/meetings/jeita-meeting/actions", json=body).status_code == 201
    done = web.api("GET", "/meetings/jeita-meeting/actions").json()[1]
    web.api("PATCH", f"/actions/{done['id']}", json={"state": "done", "note": "Introduced"})
    first = sample_mission()
    second_id = import_mission(
        web.services,
        replace(first, name="Second Mission to Japan", start=date(2027, 10, 4), end=date(2027, 10, 15)),
        source="second.toml",
        owner=web.user_id,
    )
    web.clock.at = web.clock.at + timedelta(days=40)  # the first mission is over

    _log_in(web)
    second_meeting = web.client.get(f"/missions/{second_id}/meetings/jeita-meeting").text
    link = f"/organisations/{org_key(JEITA)}"
    assert f'href="{link}' in second_meeting  # the second mission's meeting leads to the history
    page = web.client.get(link)
    assert page.status_code == 200, page.text
    html = page.text
    assert html.index(f'data-mission="{web.mission_id}"') < html.index(f'data-mission="{second_id}"')
    first_part = html[
        html.index(f'data-mission="{web.mission_id}"') : html.index(f'data-mission="{second_id}"')
    ]
    assert 'data-meeting="jeita-meeting" data-state="held"' in first_part
    assert "Watanabe Kenta (国際部 部長" in first_part  # who attended
    assert 'data-state="done">[done] Introduce the incubator' in first_part
    second_part = html[html.index(f'data-mission="{second_id}"') :]
    assert 'data-meeting="jeita-meeting" data-state="not placed"' in second_part
    # What the first mission left is where the second starts.
    assert "Open action item: Watanabe Kenta: Send the sector study (due 2027-03-01)" in html
    index = web.client.get("/organisations").text
    assert f'href="{link}' in index
    assert web.client.get("/organisations/no-such-organisation").status_code == 404


def test_org_keys_ignore_case_spacing_and_punctuation() -> None:
    assert org_key("Minato  Technology Corporation") == org_key("minato technology corporation.")
    assert org_key(JEITA) == "japan-electronics-and-information-technology-industries-association-jeita"
