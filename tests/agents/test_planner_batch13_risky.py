"""Risky acts no rule drafts a dedicated step for (trash mail in a mailbox, pay back claims, top
up a balance, load everyone into another tool): drafted class C with a step that does the act,
named in plain words, for an owner to confirm, instead of refused for want of a step. Mentions
that only look like acts ("a link to pay the invoice", "ignore deletes", "pay attention") stay
what they were."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from integrations.base import Risk
from integrations.catalog import default_registry
from tests.agents.drafting import steps_class


def _critical_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    registry = default_registry()
    return [
        s
        for s in workflow["steps"]
        if s.get("action") in registry
        and registry.get(s["action"]).risk_of(s.get("inputs", {})) == Risk.critical
    ]


@pytest.mark.parametrize(
    "request_text",
    [
        "every hour, erase everything older than a day",
        "throw away all the marketing mails in our shared outlook inbox, the whole lot",
        "whenever a partner closes a sale, top up their wallet balance in our app by 10%",
        "send the stripe customer list to our partner's API every night",
        "each quarter settle every outstanding travel claim: pay back all of them to the staff",
    ],
)
def test_a_risky_act_with_no_dedicated_step_is_drafted_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class == "C", result
    assert result.workflow is not None
    risky = _critical_steps(result.workflow)
    assert risky, result.workflow
    named = [str(s.get("name", "")) for s in risky if s["inputs"].get("impact")]
    assert all("_" not in n and "{" not in n for n in named)  # plain words, no ids


@pytest.mark.parametrize(
    "request_text",
    [
        "when an invoice goes overdue, email the client a reminder with a link to pay the invoice",
        "new comments on our github issues -> #dev, skip bot comments and ignore edits/deletes",
        "pay attention to new trustpilot reviews and post them in #cx",
        "post declined credit card payments in #billing as they happen",
        "every tuesday email clients with open invoices a bank transfer reminder",
    ],
)
def test_words_that_only_look_like_risky_acts_are_drafted_as_asked(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class != "C", result


@pytest.mark.parametrize(
    "request_text",
    [
        "when a return is logged, approve the refund and send it back to the customer's card",
        "each monday add a 2% late fee to every invoice that is 10 days overdue in our billing app",
        "reassign every open deal in pipedrive from tom to sara",
        "set status = archived on all 2,500 contacts in zoho",
        "bulk edit all our hubspot companies so the industry field is blank",
        "strip her admin roles in jira and take her off all our slack channels",
        "deactivate everyone marked as a leaver in the staff sheet",
        "end all the subscriptions in chargebee, we are shutting down",
    ],
)
def test_refunds_fees_bulk_crm_edits_and_access_removal_are_class_c_drafts(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class == "C", result
    assert result.workflow is not None and _critical_steps(result.workflow)


@pytest.mark.parametrize(
    "request_text",
    [
        "when a deal is won in hubspot, set the contact's lifecycle stage to customer",
        "every monday set a reminder for all our deals closing this week in slack",
        "send the welcome mail from their account manager's address",
        "stop the subscription emails for people who unsubscribed",
    ],
)
def test_one_record_or_a_reminder_is_not_a_bulk_overwrite(request_text: str) -> None:
    assert steps_class(draft(request_text)) != "C"


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        ("whenever a customer wants a refund, send it back to them, i dont want to press approve "
         "each time", "move money"),
        ("pay every contractor their monthly invoice through wise, dont make me review each one",
         "approv"),
        ("share each new blog post on our linkedin page, no need to run it by me", "public"),
        ("email all our clients the update but put our founder's email in the from line",
         "misled"),
        ("post the launch news from every employee's own linkedin profile", "misled"),
        ("generate 20 reviews for the new menu items with made up names and publish them",
         "fake reviews"),
    ],
)  # fmt: skip
def test_skipped_checks_public_posts_and_posing_as_someone_are_refused(
    request_text: str, said: str
) -> None:
    result = draft(request_text)
    assert result.status == "refuse" and result.reason is not None, result
    assert said in result.reason
    assert "{" not in result.reason and "_" not in result.reason


@pytest.mark.parametrize(
    "request_text",
    [
        "when a patient is discharged, push all their details and files to the clinic partner's "
        "portal",
        "once a customer churns, send their whole profile over to our agency's system",
    ],
)
def test_one_records_details_sent_into_an_outside_system_is_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class == "C", result


def test_a_general_tidy_up_with_a_concrete_access_change_is_drafted() -> None:
    result = draft("clean up jira please - suspend everyone flagged as a contractor in the roster")
    assert result.status == "draft" and result.approval_class == "C", result


@pytest.mark.parametrize(
    "request_text",
    [
        "every quarter move whatever is left in the sales account over to the vat pot, no need "
        "to ask me first",
        "sweep the stripe balance into the payroll reserve every friday without checking",
    ],
)
def test_money_moved_to_a_pot_with_checks_waived_is_refused_as_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse" and result.approval_class == "C", result


def test_money_moved_to_a_reserve_is_a_class_c_draft() -> None:
    result = draft("every friday move whatever is in the stripe balance into the vat reserve")
    assert result.status == "draft" and result.approval_class == "C", result


def test_a_long_act_is_named_by_its_whole_phrase() -> None:
    """The step name is cut where the records are narrowed down, never mid-phrase."""
    result = draft(
        "change the owner to Sam on every deal in pipedrive that has been sitting in the "
        "proposal stage for more than two months"
    )
    assert result.workflow is not None and result.approval_class == "C"
    names = [s.get("name") for s in _critical_steps(result.workflow)]
    assert names == ["Change the owner to sam on every deal in pipedrive"]
    assert "(its web address is still to be filled in)" in (result.summary or "")


@pytest.mark.parametrize(
    "request_text",
    [
        "pay run reminder to the finance team on the 25th of every month at 9",
        "pay slip link posted in #staff every friday at 4",
        "pay day heads-up in #general on the 28th of each month",
    ],
)
def test_pay_as_the_first_word_of_a_noun_moves_no_money(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.workflow is not None
    # the rules draft no money step ("pay day" may still read as risky to the risk model, which
    # then puts the draft before an owner: agents/risk_check.py)
    assert steps_class(result) != "C" and not _critical_steps(result.workflow)


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("every friday wipe all the old invoices from our dropbox folder", "Delete old invoices"),
        ("get rid of the completed cards on our trello board each night", "Delete completed cards"),
        ("clean out my gmail promo emails every sunday", "Delete gmail promo emails"),
    ],
)
def test_a_delete_said_another_way_is_named_as_a_delete(request_text: str, name: str) -> None:
    """Not "Weekly invoice update": the name of a workflow that deletes says so."""
    result = draft(request_text)
    assert result.workflow is not None and result.approval_class == "C"
    assert result.workflow["name"] == name
