"""Words with two senses: "the weekly sync" is a meeting, not two tools kept in step; a trial
that ends is a subscription's, which Stripe announces three days before."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "every thursday at 10 remind #design about the weekly sync",
        "mondays 9am post the agenda for our team sync in #eng",
    ],
)
def test_a_sync_meeting_is_a_reminder_not_a_question_about_tools(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    assert result.workflow is not None
    assert [s["action"] for s in result.workflow["steps"]] == ["slack.post_message"]


def test_keeping_tools_in_sync_is_still_a_sync() -> None:
    result = draft("keep our mailing list in sync")
    assert result.status == "clarify"
    assert result.question is not None and "keep in sync" in result.question


@pytest.mark.parametrize(
    "request_text",
    [
        "a few days before someone's trial runs out, email them how to upgrade",
        "when a customer's trial is ending send them our pricing page",
    ],
)
def test_a_trial_ending_is_stripes_event(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "stripe"
    assert result.workflow["trigger"]["events"] == ["customer.subscription.trial_will_end"]
