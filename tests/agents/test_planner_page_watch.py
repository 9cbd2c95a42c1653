"""Watching web pages is drafted as a poll of the pages (not of a feed at example.com): the
addresses named, prices and a threshold when asked, messages that say what changed; a request
naming no page is asked which one. Feeds and uptime checks are drafted as before."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.recipes_pages import PAGE_BODY, STAND_IN_PAGE, WHICH_PAGE
from workflows.samples import preview


def test_prices_on_described_pages_with_a_threshold() -> None:
    result = draft(
        "keep an eye on our 40 competitor product pages and slack #pricing if a price moves "
        "more than 5%"
    )
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"] == {
        "type": "poll",
        "pages": [STAND_IN_PAGE],
        "watch": "prices",
        "min_change_percent": 5.0,
        "interval_seconds": 900,
    }
    [step] = workflow["steps"]
    assert step["action"] == "slack.post_message"
    assert step["inputs"] == {"channel": "#pricing", "text": PAGE_BODY}


def test_named_pages_are_watched_and_the_email_says_what_changed() -> None:
    result = draft(
        "watch https://acme.com/pricing and https://acme.com/plans and email me when they change"
    )
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"]["pages"] == ["https://acme.com/pricing", "https://acme.com/plans"]
    assert workflow["trigger"]["watch"] == "text"  # "pricing" in an address is not a price
    [step] = workflow["steps"]
    assert step["action"] == "email.send"
    assert step["inputs"]["text"] == PAGE_BODY
    body = preview(workflow)[step["id"]].body
    assert "Before: Pro plan $49 per month, billed yearly" in body
    assert "New items in the feed" not in body


@pytest.mark.parametrize(
    ("request_text", "watch", "url"),
    [
        ("track the price of https://shop.example.org/item/42 and email me when it drops",
         "prices", "https://shop.example.org/item/42"),
        ("keep an eye on www.rival.io/plans and tell #sales if anything changes",
         "text", "https://www.rival.io/plans"),
        ("monitor example.org/pricing for price drops of more than 10% and email ops@acme.com",
         "prices", "https://example.org/pricing"),
    ],
)  # fmt: skip
def test_the_named_address_is_the_page(request_text: str, watch: str, url: str) -> None:
    result = draft(request_text)
    workflow = result.workflow or {}
    assert workflow["trigger"]["pages"] == [url]
    assert workflow["trigger"]["watch"] == watch
    assert not any(s["action"] in ("http.request", "rss.new_items") for s in workflow["steps"])


def test_a_request_that_says_when_to_look_keeps_its_schedule() -> None:
    result = draft("watch example.org/pricing and email me when a price changes, every 45 minutes")
    assert (result.workflow or {})["trigger"]["type"] == "schedule"


@pytest.mark.parametrize(
    "request_text", ["notify me when the page changes", "let me know when the price drops"]
)
def test_no_page_named_asks_which_one(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify"
    assert result.question == WHICH_PAGE
    assert (result.workflow or {})["trigger"]["pages"] == [STAND_IN_PAGE]


def test_feeds_and_uptime_checks_are_drafted_as_before() -> None:
    feed = draft("post new posts from the techcrunch rss feed to #news").workflow or {}
    assert "pages" not in feed["trigger"] and feed["trigger"]["type"] == "poll"
    uptime = draft("alert #ops when https://bramble.co.uk goes down").workflow or {}
    assert uptime["trigger"]["type"] == "interval"
    blog = draft("watch 3 competitors' blogs (rss) and post new articles in #competition")
    assert "pages" not in (blog.workflow or {})["trigger"]


def test_an_address_of_another_scheme_is_not_turned_into_a_web_page() -> None:
    result = draft("watch ftp://files.acme.com/prices.txt and email me when it changes")
    assert result.status == "clarify", result  # not quietly https://files.acme.com/prices.txt
    assert result.question == "Which page should I watch? Paste its address."


@pytest.mark.parametrize(
    "request_text",
    [
        "keep an eye on {pages} and email me when a price changes",
        "every monday at 9 look at {pages} and email me if a price changed",
    ],
)
def test_more_pages_than_one_workflow_watches_are_asked_about_not_cut(request_text: str) -> None:
    pages = " ".join(f"shop{n}.com/kettle" for n in range(55))
    result = draft(request_text.format(pages=pages))
    assert result.status == "clarify", result
    assert result.question is not None and "up to 50 pages" in result.question
    assert "you named 55" in result.question


@pytest.mark.parametrize(
    ("request_text", "moves"),
    [
        ("tell me when the price of https://shopnorth.co.uk/item/3 drops", "down"),
        ("let me know if the price on rival.io/plans goes down", "down"),
        ("watch acme.com/pricing and slack #pricing if a price goes up", "up"),
        ("watch acme.com/pricing and slack #pricing whenever a price changes", None),
    ],
)
def test_a_watch_of_drops_or_rises_is_drafted_as_asked(
    request_text: str, moves: str | None
) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    trigger = (result.workflow or {})["trigger"]
    assert trigger["type"] == "poll" and trigger["watch"] == "prices"  # not an uptime check
    assert trigger.get("price_moves") == moves
    if moves == "down":
        assert " drops (checked every 15 minutes)" in (result.summary or "")


@pytest.mark.parametrize(
    ("request_text", "url"),
    [
        ("notify me when https://acme.com/careers changes", "https://acme.com/careers"),
        ("tell me if anything changes on https://acme.com/x", "https://acme.com/x"),
        ("if bakery.co.uk/menu gets updated ping me", "https://bakery.co.uk/menu"),
    ],
)
def test_a_page_named_with_when_it_changes_is_watched(request_text: str, url: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"]["pages"] == [url]
    [tell] = workflow["steps"]  # told by email: nobody named a channel
    assert tell["action"] == "email.send" and tell["inputs"]["to"] == ["member:me"]
    assert tell["inputs"]["text"] == PAGE_BODY
    assert workflow["name"] == "Page watch: " + url.removeprefix("https://")


def test_changes_written_into_a_sheet_are_rows_of_what_changed() -> None:
    result = draft("write any price change on rival.com/shop into the 'Prices' sheet")
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"]["pages"] == ["https://rival.com/shop"]
    assert workflow["name"] == "Price watch: rival.com/shop"
    [row] = workflow["steps"]  # not a read of the sheet
    assert row["action"] == "sheets.append_row"
    assert row["inputs"]["spreadsheet"] == "Prices"
    assert row["inputs"]["values"]["change"] == "{{ trigger.summary }}"
    assert row["inputs"]["values"]["before"] == "{{ trigger.before }}"
    logged = draft("log every change on https://acme.com/terms to our 'Terms log' spreadsheet")
    [log] = (logged.workflow or {})["steps"]  # one row per change, not two
    assert log["action"] == "sheets.append_row" and log["inputs"]["spreadsheet"] == "Terms Log"
