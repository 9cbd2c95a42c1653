"""The web page poll in a spec: its fields, its plain serialized form, and errors in words."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from workflows.spec import PollTrigger, WorkflowSpec


def spec_with(trigger: dict[str, Any]) -> dict[str, Any]:
    step = {"id": "tell", "action": "slack.post_message", "inputs": {"channel": "#p", "text": "x"}}
    return {"name": "Watch", "trigger": trigger, "steps": [step]}


def test_a_page_poll_keeps_only_its_own_fields() -> None:
    pages = ["https://competitor.com/pricing"]
    spec = WorkflowSpec.model_validate(
        spec_with({"type": "poll", "pages": pages, "watch": "prices", "min_change_percent": 5})
    )
    assert spec.model_dump()["trigger"] == {
        "type": "poll",
        "pages": pages,
        "watch": "prices",
        "min_change_percent": 5.0,
        "interval_seconds": 900,
    }
    text = PollTrigger(pages=pages).model_dump()
    assert text == {"type": "poll", "pages": pages, "watch": "text", "interval_seconds": 900}
    drops = PollTrigger(pages=pages, watch="prices", price_moves="down").model_dump()
    assert drops["price_moves"] == "down"  # kept when said; "any" (the default) is left out
    assert "price_moves" not in PollTrigger(pages=pages, watch="prices").model_dump()


def test_feed_sheet_and_mentions_polls_serialize_as_before() -> None:
    assert PollTrigger(url="https://a.example/feed").model_dump() == {
        "type": "poll",
        "url": "https://a.example/feed",
        "interval_seconds": 900,
    }
    assert PollTrigger().model_dump() == {"type": "poll", "url": None, "interval_seconds": 900}
    sheet = PollTrigger(spreadsheet="Orders", sheet="Sheet1").model_dump()
    assert set(sheet) == {"type", "url", "spreadsheet", "sheet", "interval_seconds"}


@pytest.mark.parametrize(
    ("trigger", "words"),
    [
        (
            {"pages": ["https://a.example/p"], "url": "https://a.example/feed"},
            "a poll watches web pages (pages), a feed (url) or a Google Sheet",
        ),
        (
            {"pages": ["https://a.example/p"], "spreadsheet": "Orders", "sheet": "Sheet1"},
            "only one of them",
        ),
        ({"pages": []}, "a page watch needs between 1 and 50 page addresses, not 0"),
        (
            {"pages": [f"https://a.example/{n}" for n in range(51)]},
            "between 1 and 50 page addresses, not 51",
        ),
        ({"pages": ["competitor.com/pricing"]}, "is not a web page address"),
        ({"pages": ["https://a.example/p", "https://a.example/p"]}, "listed twice"),
        ({"watch": "prices"}, "only for web pages"),
        (
            {"pages": ["https://a.example/p"], "min_change_percent": 5},
            "min_change_percent is for watching prices",
        ),
        (
            {"pages": ["https://a.example/p"], "watch": "prices", "min_change_percent": -1},
            "a percentage between 0 and 1000",
        ),
        (
            {"pages": ["https://a.example/p"], "price_moves": "down"},
            "price_moves (only drops, or only rises) is for watching prices",
        ),
        (
            {"pages": ["https://a.example/p"], "watch": "prices", "price_moves": "sideways"},
            "price_moves",
        ),
    ],
)
def test_page_poll_mistakes_are_said_in_words(trigger: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        WorkflowSpec.model_validate(spec_with({"type": "poll", **trigger}))
    assert words in str(raised.value)
