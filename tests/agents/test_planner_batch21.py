"""What batch21's requests showed the drafter missed, in other words."""

from __future__ import annotations

from typing import Any

from agents.planner import draft
from agents.planner.zones import find_timezone


def _steps(result: Any) -> list[dict[str, Any]]:
    return list((result.workflow or {}).get("steps", []))


def test_labels_to_sort_mail_by_are_not_secrets_or_refunds() -> None:
    """ "sort each email (refund, product question, password, vendor invoice)" was refused as
    credential handling; with the word masked it drafted a refund call at a stand-in."""
    result = draft(
        "for the helpdesk inbox: sort each message (refund, shipping question, password, "
        "supplier invoice) and have a draft reply ready for me to approve"
    )
    assert result.status == "draft", result
    assert result.approval_class in ("A", "B"), result
    [sort] = [s for s in _steps(result) if s["action"] == "ai.categorize"]
    assert sort["inputs"]["labels"] == [
        "refund",
        "shipping question",
        "password",
        "supplier invoice",
    ]
    assert not any(s["action"].startswith("credentials.") for s in _steps(result))
    assert not any(s["inputs"].get("impact") for s in _steps(result))
    refused = draft("email me the admin password for the crm every monday")
    assert refused.status == "refuse"  # a secret sent is still refused


def test_a_draft_reply_for_a_person_to_send_is_not_sent_to_the_sender() -> None:
    """ "have a draft reply ready for me to approve", "i'll send them myself": the reply was
    emailed to whoever wrote in."""
    kept = draft(
        "for each email to support@ write a draft answer using our faq, we'll send them ourselves"
    )
    sends = [s for s in _steps(kept) if s["action"] == "email.send"]
    assert sends and all("member:" in str(s["inputs"]["to"]) for s in sends), sends
    assert kept.approval_class == "A"
    sent = draft("auto reply to every email to support@ with our opening hours")
    assert any(s["inputs"].get("to") == "{{ trigger.from }}" for s in _steps(sent))


def test_reminded_in_slack_is_a_slack_message_to_me_with_what_for() -> None:
    result = draft("remind me on slack every weekday at 17:30 to fill in my timesheet")
    assert [(s["action"], s["inputs"]["channel"]) for s in _steps(result)] == [
        ("slack.post_message", "@me")
    ], result
    assert _steps(result)[0]["inputs"]["text"] == "Reminder: please fill in your timesheet."


def test_an_hour_said_in_words_before_a_zone_takes_the_zone() -> None:
    assert find_timezone("standup reminder at quarter past nine pacific") == "America/Los_Angeles"
    assert find_timezone("at half past ten eastern post the numbers") == "America/New_York"
    assert find_timezone("one central place for all our docs") is None


def test_a_declined_charge_tried_again_moves_money() -> None:
    result = draft("when a card payment fails retry the charge two days later")
    assert result.status == "draft" and result.approval_class == "C", result
