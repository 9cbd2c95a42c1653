"""A webhook trigger names the app that sends it when the request names one."""

from __future__ import annotations

import pytest

from agents.planner import draft
from workflows.describe_triggers import trigger_words
from workflows.spec import WebhookTrigger


@pytest.mark.parametrize(
    ("request_text", "source"),
    [
        ("when a woocommerce order is refunded, post it in #shop", "WooCommerce"),
        ("whenever a new jotform submission arrives, email me the answers", "Jotform"),
        ("when a zendesk ticket is tagged urgent, ping #support", "Zendesk"),
        ("new calendly booking -> post the time in #sales", "Calendly"),
    ],
)
def test_the_app_in_the_event_clause_is_the_source(request_text: str, source: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger == {"type": "webhook", "source": source}
    assert trigger_words(trigger) == f"when {source} sends in new details"
    assert result.summary and result.summary.startswith(f"When {source} sends in new details")


def test_an_app_only_written_to_is_not_the_source() -> None:
    result = draft("when a new lead comes in, add them to airtable and tell #sales")
    assert result.workflow is not None
    assert "source" not in result.workflow["trigger"]


def test_a_plain_webhook_still_serialises_as_before() -> None:
    assert "source" not in WebhookTrigger().model_dump()
    assert WebhookTrigger(source="Shopify").model_dump(exclude_none=True) == {
        "type": "webhook",
        "source": "Shopify",
    }
