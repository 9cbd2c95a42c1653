"""Reports handed to our own people without a verb, the boss as a member, files of figures as
reports, and Harvest the time tracker (not "harvest" the scraping verb).

"weekly timesheet csv to the project managers" drafted no email at all, "email my boss a PDF"
emailed `{{ trigger.email }}` on a schedule (nobody), and "hours from harvest" was refused as
scraping.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft


def _steps(result: object) -> list[dict[str, Any]]:
    workflow = getattr(result, "workflow", None) or {}
    return list(workflow.get("steps", []))


def _recipients(result: object) -> list[object]:
    return [s["inputs"]["to"] for s in _steps(result) if s.get("action") == "email.send"]


@pytest.mark.parametrize(
    ("request_text", "member"),
    [
        ("weekly overtime csv to the shift managers, fridays 4pm", "member:team"),
        ("daily takings report to each store manager at 7pm", "member:team"),
        ("every monday email my boss a summary of last week's tickets", "member:owners"),
    ],
)
def test_a_report_for_our_own_people_is_emailed_to_them(request_text: str, member: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    recipients = _recipients(result)
    assert recipients, [s.get("action") for s in _steps(result)]
    assert all("trigger." not in str(to) for to in recipients)
    assert any(member in (to if isinstance(to, list) else [to]) for to in recipients)
    assert result.approval_class == "A"


def test_a_report_for_managers_in_slack_is_not_also_emailed() -> None:
    result = draft("every friday post the sales report to the managers in #leadership")
    assert not _recipients(result)


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday a csv of the week's tracked hours to me",
        "on the 1st send me a pdf with last month's pageviews",
    ],
)
def test_a_periodic_file_of_figures_builds_a_report(request_text: str) -> None:
    actions = [s.get("action") for s in _steps(draft(request_text))]
    assert "report.build" in actions, actions


def test_hours_from_harvest_are_read_not_refused_as_scraping() -> None:
    result = draft("every monday email my boss a PDF of last week's hours from harvest")
    assert result.status == "draft", result.reason
    scraping = draft("harvest emails off these directories and send them our offer")
    assert scraping.status == "refuse"


def test_a_named_discord_channel_is_discord_not_slack() -> None:
    result = draft("every friday post the week's new orders in the #ops discord channel")
    actions = [(s.get("action"), str(s.get("inputs", {}).get("url", ""))) for s in _steps(result)]
    assert not any(a == "slack.post_message" for a, _ in actions), actions
    assert any(a == "http.request" and "discord" in url for a, url in actions), actions
    both = draft("post new orders in #sales and text me on whatsapp")
    assert "slack.post_message" in [s.get("action") for s in _steps(both)]


def test_a_refund_goes_back_through_the_provider_that_took_the_payment() -> None:
    result = draft("when an order is cancelled in our shop refund the mollie payment automatically")
    steps = _steps(result)
    assert "stripe.refund" not in [s.get("action") for s in steps]
    refund = [s for s in steps if "mollie" in str(s.get("inputs", {}).get("url", ""))]
    assert refund and refund[0]["inputs"]["method"] == "POST"
    assert result.approval_class == "C"
