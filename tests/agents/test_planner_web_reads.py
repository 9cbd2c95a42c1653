"""Reading the open web (prices, competitors' pages, a forecast) is an HTTP read in the draft."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.recipes_pages import STAND_IN_PAGE, WHICH_PAGE


def _gets(request: str) -> list[str]:
    result = draft(request)
    assert result.workflow is not None
    return [
        s["inputs"]["url"]
        for s in result.workflow["steps"]
        if s.get("action") == "http.request" and s["inputs"].get("method") == "GET"
    ]


@pytest.mark.parametrize(
    "request_text",
    [
        "every day at 7 check google shopping prices for our products and tell #pricing",
        "twice a day check new job postings for 'marketing manager' and add them to the Jobs sheet",
        # one price, a search page, a school's site
        "watch the price of this espresso machine on amazon and email me when it drops",
        "check this laptop search page every hour and tell #deals if one is under 900",
        "every morning pull the exam timetable from the college site and email it to me",
    ],
)
def test_reading_pages_prices_or_listings_is_a_get(request_text: str) -> None:
    assert len(_gets(request_text)) == 1


def test_what_changed_on_websites_at_clock_times_is_a_page_check() -> None:
    described = draft(
        "every other thursday at 10 look at our competitors' websites and email me what changed"
    )
    assert described.status == "draft" and described.workflow is not None
    check, email = described.workflow["steps"]  # compared with the last look, not a GET
    assert check["action"] == "http.check_pages" and email["action"] == "email.send"
    assert check["inputs"]["pages"] == [STAND_IN_PAGE]  # said on the card; approval waits
    unnamed = draft("every other thursday at 10 look at the page and email me what changed")
    assert unnamed.status == "clarify" and unnamed.question == WHICH_PAGE


def test_the_weather_is_read_from_a_public_forecast() -> None:
    urls = _gets("every morning at 6:30 send the crew the weather for today's job sites by email")
    assert urls == ["https://api.open-meteo.com/v1/forecast"]


@pytest.mark.parametrize(
    "request_text",
    [
        "every day at 9 check our google reviews and post the new ones in #reviews",
        "every monday email me the new leads",
        "we put a form on our webflow site: post every submission in #leads",
        "when the price of an order is over 500 email me",
    ],
)
def test_feeds_our_own_data_and_event_sources_are_not_web_reads(request_text: str) -> None:
    assert _gets(request_text) == []
