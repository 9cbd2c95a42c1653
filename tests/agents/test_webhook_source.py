"""A webhook trigger names the app that sends it when the request names one."""

from __future__ import annotations

import pytest

from agents.planner import draft
from workflows.describe_triggers import trigger_words
from workflows.spec import WebhookTrigger


@pytest.mark.parametrize(
    ("request_text", "source", "event"),
    [
        ("when a woocommerce order is refunded, post it in #shop", "WooCommerce",
         "a woocommerce order is refunded"),
        ("whenever a new jotform submission arrives, email me the answers", "Jotform",
         "a new jotform submission arrives"),
        ("when a Zendesk ticket is tagged urgent, ping #support", "Zendesk",
         "a Zendesk ticket is tagged urgent"),
        ("new calendly booking -> post the time in #sales", "Calendly", None),
    ],
)  # fmt: skip
def test_the_app_in_the_event_clause_is_the_source_and_the_event_is_said_in_words(
    request_text: str, source: str, event: str | None
) -> None:
    """The plain words say what happens, as the person wrote it, and who sends it in."""
    result = draft(request_text)
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger == {"type": "webhook", "source": source} | ({"event": event} if event else {})
    said = f"when {event} (sent in by {source})" if event else f"when {source} sends in new details"
    assert trigger_words(trigger) == said
    assert result.summary and result.summary.startswith(said[0].upper() + said[1:])


def test_an_event_without_an_app_says_what_happens() -> None:
    result = draft("when someone cancels their class booking, refund them in full")
    assert result.summary and result.summary.startswith(
        "When someone cancels their class booking (sent in by your website or another app), "
    )


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


def test_a_shouted_event_is_said_in_plain_case() -> None:
    result = draft("WHEN SOMEONE BOOKS A CALL, EMAIL THEM OUR PREP NOTES")
    assert result.workflow is not None
    assert result.workflow["trigger"]["event"] == "someone books a call"
