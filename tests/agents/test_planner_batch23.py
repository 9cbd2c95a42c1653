"""What batch23's requests showed the drafter missed, in other words."""

from __future__ import annotations

from typing import Any

from agents.planner import draft


def _steps(result: Any) -> list[dict[str, Any]]:
    return list((result.workflow or {}).get("steps", []))


def _trigger(result: Any) -> dict[str, Any]:
    return dict((result.workflow or {}).get("trigger", {}))


def test_a_day_named_after_instead_of_is_the_day_it_no_longer_runs() -> None:
    """ "on thursday evening at 6 instead of friday" ran on Thursdays and Fridays."""
    moved = draft("email the volunteers their shift reminder on tuesday at 5pm instead of monday")
    assert _trigger(moved)["cron"] == "0 17 * * 2"
    rather = draft("post the standup summary in #team on mondays rather than fridays at 10")
    assert _trigger(rather)["cron"] == "0 10 * * 1"
    both = draft("post the standup summary in #team on mondays and fridays at 10")
    assert _trigger(both)["cron"] == "0 10 * * 1,5"  # no "instead": both days stay


def test_telling_someone_a_key_was_rotated_sends_no_key() -> None:
    """ "rotate the keys and email each key owner that it's been rotated" was refused as
    sending a secret; the news of a rotation shows nothing."""
    result = draft(
        "rotate our vendor API keys every quarter and email each key owner that they've been "
        "rotated"
    )
    assert result.status == "draft", result.reason
    assert result.approval_class == "C"  # rotating a credential is still an owner's call
    rotations = [s for s in _steps(result) if s["action"] == "credentials.rotate"]
    assert [s["inputs"]["integration"] for s in rotations] == ["vendor"]  # not "each"
    sent = draft("rotate the stripe key and email the new key to our freelancer")
    assert sent.status == "refuse"  # the new key itself, sent, is still refused


def test_customers_who_bought_nothing_are_no_bought_list() -> None:
    """ "a pdf of the customers who bought nothing last month, emailed to each manager" was
    refused as mail to a bought address list."""
    result = draft(
        "on the 1st of every month email our account managers a list of the clients who bought "
        "nothing last month"
    )
    assert result.status != "refuse", result.reason
    bought = draft("we bought a list of 5000 emails, send them our spring offer")
    assert bought.status == "refuse"


def test_a_button_job_is_started_by_hand() -> None:
    result = draft("add a button job that emails me this week's new signups")
    assert _trigger(result)["type"] == "manual"


def test_a_refund_that_went_through_is_the_event_not_a_refund_to_make() -> None:
    """ "whenever a refund goes through in stripe, email the customer" posted a Stripe
    transfer."""
    result = draft("whenever a refund goes through in stripe, email the customer a confirmation")
    assert _trigger(result)["type"] == "stripe"
    assert [s["action"] for s in _steps(result)] == ["email.send"]
    asked = draft("every evening let the pending refunds go through in stripe")
    assert asked.approval_class == "C"  # letting refunds through is still moving money


def test_inactive_people_who_get_removed_are_deleted_from_the_crm() -> None:
    """ "clean up inactive customers automatically, anyone inactive 90 days gets removed" asked
    what it should do."""
    result = draft(
        "clean up inactive customers automatically, anyone who hasnt logged in for 60 days gets "
        "removed"
    )
    assert result.status == "draft", result.question
    [delete] = _steps(result)
    assert delete["action"] == "crm.delete_contacts"
    assert delete["inputs"] == {"inactive_for": "60 days"}
    assert result.approval_class == "C"
    assert _trigger(result)["type"] == "schedule"
    told = draft("when someone gets removed from the team channel, post it in #ops")
    assert not any(s["action"] == "crm.delete_contacts" for s in _steps(told))


def _mail(result: Any) -> dict[str, Any]:
    [mail] = [s for s in _steps(result) if s["action"] == "email.send"]
    return dict(mail["inputs"])


def test_a_message_told_in_the_request_is_what_is_sent() -> None:
    """ "email the customer that the money is on its way" sent "just following up to see
    whether there is anything we can help with", titled with the workflow's name."""
    result = draft(
        "when a payout lands in stripe email the customer that their reward is ready to spend"
    )
    mail = _mail(result)
    assert mail["subject"] == "Your reward is ready to spend"
    assert mail["text"].startswith("Hi {{")
    assert "your reward is ready to spend." in mail["text"]
    assert "following up" not in mail["text"]
    posted = draft("when a deploy fails tell #eng that the release is rolled back")
    [post] = [s for s in _steps(posted) if s["action"] == "slack.post_message"]
    assert post["inputs"]["text"] == "The release is rolled back."
    # "the customers that signed up today": who they are, not what they are told
    welcome = _mail(draft("email the customers that signed up today a welcome note"))
    assert "signed up today" not in welcome["text"]


def test_stripe_is_not_read_as_stripping_something() -> None:
    """The owner's check said a Stripe refund notice "could delete, cancel or overwrite
    things": "stripe" was read as "strip"."""
    from agents.risk_check import owner_check_reason

    reason = owner_check_reason("when a refund goes through in stripe, email the customer")
    assert "delete" not in reason and "move money" in reason
    assert "delete" in owner_check_reason("strip the old tags off every contact")
