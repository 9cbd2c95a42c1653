"""The web page poll in words: the draft card's sentence and the "Try it" sample message."""

from __future__ import annotations

from typing import Any

from workflows.describe import describe
from workflows.samples import preview
from workflows.stand_ins import stand_in_steps

TELL = {
    "id": "tell_pricing",
    "action": "slack.post_message",
    "inputs": {
        "channel": "#pricing",
        "text": "{{ trigger.summary }}\nBefore: {{ trigger.before }}\nAfter: {{ trigger.after }}\n"
        "{{ trigger.url }}",
    },
}


def spec(**trigger: Any) -> dict[str, Any]:
    return {"name": "Competitor pages", "trigger": {"type": "poll", **trigger}, "steps": [TELL]}


def test_one_page_is_named_by_its_address_and_how_often_it_is_checked() -> None:
    described = describe(spec(pages=["https://www.competitor.com/pricing"], interval_seconds=1800))
    assert described.summary == (
        "When the page at competitor.com/pricing changes (checked every 30 minutes), Levqor will "
        "post what changed on the page (before and after) with a link to it in #pricing. The "
        "first check after approval only notes what the page shows now: each change after that "
        "starts its own run."
    )


def test_prices_on_many_pages_say_the_threshold() -> None:
    pages = [f"https://competitor.com/products/{n}" for n in range(40)]
    described = describe(spec(pages=pages, watch="prices", min_change_percent=5))
    assert described.trigger == (
        "when a price on one of 40 pages moves by 5% or more (checked every 15 minutes)"
    )
    assert "each page shows now" in described.summary
    unbounded = describe(spec(pages=pages[:1], watch="prices"))
    assert unbounded.trigger.startswith("when a price on the page at competitor.com/products/0 ")


def test_a_watch_of_drops_or_rises_says_which() -> None:
    page = ["https://competitor.com/pricing"]
    drops = describe(spec(pages=page, watch="prices", price_moves="down", min_change_percent=10))
    assert drops.trigger.startswith(
        "when a price on the page at competitor.com/pricing drops by 10% or more"
    )
    rises = describe(spec(pages=page, watch="prices", price_moves="up"))
    assert rises.trigger.startswith("when a price on the page at competitor.com/pricing rises ")


def test_the_sample_message_shows_a_realistic_before_and_after() -> None:
    messages = preview(spec(pages=["https://competitor.com/pricing"], watch="prices"))
    body = messages["tell_pricing"].body
    assert body == (
        "Prices changed on competitor.com/pricing: $49.00 is now $59.00 (up 20.4%).\n"
        "Before: $49.00\nAfter: $59.00\nhttps://competitor.com/pricing"
    )
    text = preview(spec(pages=["https://competitor.com/pricing"]))["tell_pricing"].body
    assert "Before: Pro plan $49 per month, billed yearly" in text
    assert "After: Pro plan $59 per month, billed yearly" in text
    assert "{{" not in text and "*/" not in text


def test_a_stand_in_page_is_said_and_blocks_approval_until_it_is_given() -> None:
    stand_in = "https://www.example.com/page-to-watch"
    drafted = spec(pages=[stand_in], watch="prices", min_change_percent=5)
    assert describe(drafted).trigger == (
        "when a price on the watched page (its address still to be given) moves by 5% or more "
        "(checked every 15 minutes)"
    )
    assert stand_in_steps(drafted) == [("the watched page", stand_in)]
    assert stand_in_steps(spec(pages=["https://competitor.com/pricing"])) == []


def test_the_sample_of_a_watch_of_drops_shows_a_drop() -> None:
    page = ["https://competitor.com/pricing"]
    body = preview(spec(pages=page, watch="prices", price_moves="down"))["tell_pricing"].body
    assert body.startswith("Prices changed on competitor.com/pricing: $59.00 is now $49.00 (down")


def test_a_scheduled_check_shows_its_own_page_and_a_drop_when_drops_are_checked() -> None:
    spec_ = {
        "name": "Price check",
        "trigger": {"type": "schedule", "cron": "0 8 * * *", "timezone": "UTC"},
        "steps": [
            {"id": "check_pages", "action": "http.check_pages",
             "inputs": {"pages": ["https://rival.io/plans"], "watch": "prices",
                        "price_moves": "down"}},
            {"id": "tell", "action": "slack.post_message", "when": "steps.check_pages.changed",
             "inputs": {"channel": "#pricing", "text": "{{ steps.check_pages.summary }}"}},
        ],
    }  # fmt: skip
    body = preview(spec_)["tell"].body
    assert body.startswith("Prices changed on rival.io/plans: $59.00 is now $49.00 (down"), body
