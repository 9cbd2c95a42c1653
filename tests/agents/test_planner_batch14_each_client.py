"""Who gets it (batch14 round), in wording written for these tests: "the client" of records gone
through one by one ("for each client account … to the client", "any quote … to the customer") is
each record's own, so nothing is asked; with no records named, "the client" is still asked about."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday at 9 pull the ad spend for each client account and email the summary to "
        "the client",
        "every 3 days re-send any quote that hasn't been accepted to the customer",
    ],
)
def test_the_client_of_each_record_is_not_asked_about(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft"
    assert result.workflow is not None
    assert any(s.get("action") == "email.send" for s in result.workflow["steps"])


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday at 4 send the weekly report to the client",
        "when someone fills in the form send it over to the client",
    ],
)
def test_an_unnamed_client_is_still_asked_about(request_text: str) -> None:
    assert draft(request_text).status == "clarify"
