"""What starts a workflow and who reads it, said in new words: a declined card is Stripe's
failed payment; "a button I can hit" is started by hand; a payment reminder moves no money;
our own managers, engineers and execs are our team (class A); an event nobody names is asked
about."""

from __future__ import annotations

import pytest

from agents.planner import draft


def test_a_hard_declined_card_is_stripes_failed_payment() -> None:
    result = draft(
        "if a card gets hard-declined dont let stripe kill the account, move their "
        "subscription down to the Starter price instead"
    )
    workflow = result.workflow or {}
    assert workflow["trigger"] == {"type": "stripe", "events": ["invoice.payment_failed"]}
    assert result.approval_class == "C"  # a plan changed


def test_a_button_to_press_sends_payment_reminders_and_moves_no_money() -> None:
    result = draft(
        "I want a button I can hit whenever to send a polite payment reminder to each client "
        "that has an overdue invoice in stripe"
    )
    workflow = result.workflow or {}
    assert workflow["trigger"] == {"type": "manual"}
    actions = [s["action"] for s in workflow["steps"]]
    assert actions == ["stripe.invoice_reminders"]  # no transfer to anyone
    assert result.approval_class == "B"


@pytest.mark.parametrize(
    "request_text",
    [
        "monday 8am email every engineer a list of their stale tickets from github",
        "on the 10th of each month email every exec the key metrics from the finance sheet",
        "when a project gets marked won in our crm email our ops manager and post it in #wins",
    ],
)
def test_our_own_people_are_our_team(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    assert result.approval_class == "A"


@pytest.mark.parametrize(
    "request_text",
    [
        "whenever something happens with a customer, update the crm",
        "ping me if the numbers look weird",
        "keep hubspot synced with the other thing we use",
    ],
)
def test_an_event_or_a_tool_nobody_names_is_asked_about(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify"
    assert result.suggestions  # concrete choices to pick from


@pytest.mark.parametrize(
    "request_text",
    [
        "whenever something changes in our github repos let the #dev slack channel know",
        "email me when something changes on https://acme.com/pricing",
    ],
)
def test_a_change_in_a_named_place_is_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"


@pytest.mark.parametrize(
    "request_text",
    [
        "when a customer submits the upgrade form, switch their stripe subscription over to the "
        "Pro price",
        "when someone fills in the cancellation form, cancel their subscription in stripe",
    ],
)
def test_a_form_that_starts_a_stripe_change_is_the_forms_event(request_text: str) -> None:
    result = draft(request_text)
    assert (result.workflow or {})["trigger"]["type"] == "webhook"
    assert result.approval_class == "C"  # the plan changed in Stripe


def test_payday_named_in_passing_moves_no_money() -> None:
    result = draft(
        "we pay every other friday. can you email the admins every other tuesday at 9 "
        "reminding them to approve clock-ins before payday"
    )
    assert result.approval_class == "A"
    assert [s["action"] for s in (result.workflow or {})["steps"]] == ["email.send"]
    assert draft("pay every contractor their approved invoice on friday").approval_class == "C"


def test_reports_people_hand_in_are_reminded_of_not_built() -> None:
    result = draft("every friday 5pm remind the team in #general to get their weekly reports in")
    [post] = (result.workflow or {})["steps"]
    assert post["action"] == "slack.post_message"
    assert post["inputs"]["text"] == "Reminder: please get your weekly reports in."


def test_an_email_never_opened_is_a_condition_and_a_notice_is_an_email() -> None:
    deleting = draft(
        "once a month delete everyone from our contacts who hasn't opened a single email in "
        "6 months"
    )
    assert [s["action"] for s in (deleting.workflow or {})["steps"]] == ["crm.delete_contacts"]
    notice = draft(
        "every day at 8am go thru the invoices in our crm and send an overdue notice to any "
        "client whose invoice just went past due"
    )
    assert "email.send" in [s["action"] for s in (notice.workflow or {})["steps"]]


@pytest.mark.parametrize(
    "request_text",
    [
        "every day at 0800 CET email me the uptime summary for all our monitors",
        "every 30 mins check the support inbox and if its a P1 (service down) alert #oncall",
    ],
)
def test_an_uptime_report_or_an_outage_priority_is_no_site_check(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question  # not "Which address should I check?"
    actions = [s["action"] for s in (result.workflow or {})["steps"]]
    assert "alert.crossed" not in actions
    assert (result.workflow or {})["trigger"]["type"] == "schedule"
