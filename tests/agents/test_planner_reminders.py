"""Who a reminder is for: someone outside by email, unless it is asked for in Slack."""

from __future__ import annotations

from agents.planner import draft


def _actions(request: str) -> list[str]:
    result = draft(request)
    assert result.workflow is not None
    return [s.get("action") or "wait" for s in result.workflow["steps"]]


def test_a_slack_reminder_is_only_posted_in_slack() -> None:
    assert _actions("Daily Slack standup reminder") == ["slack.post_message"]


def test_a_reminder_to_clients_is_emailed() -> None:
    assert "email.send" in _actions("send a reminder to clients 3 days before their invoice is due")


def test_an_email_reminder_named_with_slack_is_still_emailed() -> None:
    actions = _actions("every monday email our members a reminder and post the same in slack #team")
    assert "email.send" in actions and "slack.post_message" in actions


def test_reminding_employees_emails_the_team_the_point_of_the_reminder() -> None:
    result = draft("every monday remind employees to submit their timesheets")
    assert result.status == "draft" and result.workflow is not None
    (step,) = result.workflow["steps"]
    assert step["action"] == "email.send" and step["inputs"]["to"] == ["member:team"]
    assert step["inputs"]["subject"] == "Reminder: submit your timesheets"
    assert result.workflow["trigger"]["cron"] == "0 9 * * 1"


def test_later_emails_in_days_or_weeks_are_a_drip() -> None:
    assert _actions("send a welcome email to new subscribers, then a tips email 3 days later") == [
        "email.send",
        "wait",
        "email.send",
    ]
    result = draft(
        "when someone signs up, send a welcome email, a check-in a week later and a review "
        "request 2 weeks later"
    )
    assert result.workflow is not None
    steps = result.workflow["steps"]
    assert [s.get("wait") for s in steps if s.get("wait")] == ["7 days", "7 days"]
    # "a review request" is an email to send, not review sites to read
    assert not any(s.get("action") == "rss.new_items" for s in steps)


def test_reviews_left_on_a_site_are_still_read_as_a_feed() -> None:
    assert _actions("when we get a bad review on trustpilot, alert #cx")[0] == "rss.new_items"
