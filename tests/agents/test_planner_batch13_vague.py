"""Tools named with nothing asked of them (batch13 round), in wording written for these tests:
asked what should happen, never drafted from a guess."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "could airtable and intercom talk to each other somehow",
        "a trello integration would be nice, for boards and cards and that",
        "anything we could do with yelp for the salon?",
        "something for our instagram?",
        "wire up xero, shopify, mailchimp and gorgias for me",
        "it'd be great to have all our data synced to airtable",
    ],
)
def test_tools_with_no_action_are_asked_about(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question and "{" not in result.question and "_" not in result.question


@pytest.mark.parametrize(
    "request_text",
    [
        "connect new typeform responses to hubspot and post them in #sales",
        "when a deal is won in pipedrive, post it in #wins",
    ],
)
def test_tools_with_an_action_are_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"
