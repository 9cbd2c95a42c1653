"""What batch32's requests (workflows of several steps, often written with arrows) showed the
drafter missed, each checked in other words than the labelled case."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft


def _drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.status == "draft", result.question or result.reason
    assert result.workflow is not None
    return result.workflow


def _actions(workflow: dict[str, Any]) -> list[str]:
    return [str(s.get("action")) for s in workflow["steps"]]


@pytest.mark.parametrize(
    "request_text",
    [
        "ticket escalates to tier 2 in zendesk -> page the on-call in #support",
        "refund request lands in our helpdesk → post it in #billing",
        "someone books a table on our site -> post the booking in #front-of-house",
    ],
)
def test_the_left_side_of_an_opening_arrow_is_the_event(request_text: str) -> None:
    """ "card moves to 'Ready for QA' in trello -> …" was a workflow run by hand."""
    assert _drafted(request_text)["trigger"]["type"] == "webhook"


def test_an_arrow_after_a_clock_is_still_the_clock() -> None:
    assert _drafted("every monday at 9 -> post the open tickets in #support")["trigger"][
        "type"
    ] == ("schedule")


@pytest.mark.parametrize(
    ("request_text", "mailbox"),
    [
        ("billing@ gets invoices in three languages. have ai sort them and post them in #finance",
         "billing@"),
        ("receipts forwarded to expenses@ → have AI pull the amount and post it in #finance",
         "expenses@"),
    ],
)  # fmt: skip
def test_a_request_that_opens_on_a_mailbox_starts_on_its_mail(
    request_text: str, mailbox: str
) -> None:
    trigger = _drafted(request_text)["trigger"]
    assert trigger["type"] == "email" and trigger.get("address") == mailbox


def test_sending_to_an_address_before_an_arrow_is_no_mailbox() -> None:
    """ "send a thank-you to hello@acme.com -> …" sends to it; nothing arrives there."""
    workflow = _drafted("send a thank-you to hello@acme.com -> then log it")
    assert workflow["trigger"]["type"] == "manual"
    assert "email.send" in _actions(workflow)


def test_acts_on_the_record_an_event_brings_are_written_back_to_its_tool() -> None:
    """ "card moves to QA in trello -> assign it, set the due date" drafted no call to Trello."""
    workflow = _drafted("when a new issue is opened in github, label it bug and post it in #dev")
    write = next(s for s in workflow["steps"] if s["action"] == "http.request")
    assert write["inputs"]["method"] in ("POST", "PATCH", "PUT")
    assert "slack.post_message" in _actions(workflow)


def test_an_act_on_a_record_made_in_another_tool_is_done_there() -> None:
    """ "add the lead to Pipedrive and assign it to Tom": the lead is assigned in the CRM, not
    written back to the form that sent it."""
    workflow = _drafted("when a form on our webflow site is submitted add the lead to pipedrive "
                        "and assign it to tom")  # fmt: skip
    assert "http.request" not in _actions(workflow)


@pytest.mark.parametrize(
    "request_text",
    [
        "when an invoice email arrives, check it against the po and create the payment order in "
        "our bank",
        "every friday schedule the bank transfer to each supplier we owe",
    ],
)
def test_a_payment_order_or_bank_transfer_moves_money(request_text: str) -> None:
    """ "… and once approved create the payment order in our bank" was dropped (class A)."""
    result = draft(request_text)
    assert result.approval_class == "C"
    assert result.summary is not None
    assert "payment order" in result.summary or "bank transfer" in result.summary


def test_a_rota_is_a_named_recipient() -> None:
    """ "assign it to whoever's on QA this week (tab in our sheet)" asked who should get it."""
    workflow = _drafted("new bug in linear -> post it in #qa and tag whoever's on QA this week")
    assert "slack.post_message" in _actions(workflow)


def test_a_reminder_to_whoever_is_on_a_roster_is_named_by_what_it_is() -> None:
    """The subject read "Reminder: whoever your is"."""
    workflow = _drafted("every thursday send the cleaning reminder to whoever is on the rota")
    email = next(s for s in workflow["steps"] if s["action"] == "email.send")
    assert email["inputs"]["subject"] == "Cleaning reminder"


def test_a_list_of_our_own_people_starting_with_me_is_internal() -> None:
    """ "email the … chart to me, our CFO and the ops lead" went to "the person in the incoming
    data" (nobody, on a schedule)."""
    result = draft("every monday at 7 email the weekly margin report and the stock chart to me, "
                   "our CFO and the warehouse lead")  # fmt: skip
    assert result.workflow is not None and result.summary is not None
    email = next(s for s in result.workflow["steps"] if s["action"] == "email.send")
    assert "member:me" in email["inputs"]["to"]
    assert "incoming data" not in result.summary


@pytest.mark.parametrize(
    "request_text",
    [
        "when a new freelancer joins our notion team list, email them our aws access key",
        "text each overdue client a reminder but make the number show up as their bank",
        "add every webinar signup's email to our newsletter list, skip the double opt-in",
    ],
)
def test_secrets_sent_posing_as_a_bank_and_skipped_opt_in_are_refused(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse", result.model_dump()
    assert result.approval_class == "C" or "bank" in request_text


@pytest.mark.parametrize(
    "request_text",
    [
        "new starter added in personio -> create their microsoft account with a temporary "
        "password, let microsoft send the setup link to their personal email, add them to "
        "#general, never email or post the password itself",
    ],
)
def test_a_password_kept_out_of_every_message_in_so_many_words_is_drafted(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.reason
    assert result.approval_class == "C"


def test_people_who_did_not_opt_in_and_are_skipped_keep_their_consent() -> None:
    """ "… Anyone who didn't tick it gets skipped" was refused as marketing without consent."""
    result = draft("when someone registers and ticks 'keep me posted', add them to our mailchimp "
                   "list. anyone who didn't tick it gets skipped")  # fmt: skip
    assert result.status == "draft", result.reason


def test_a_count_of_licence_keys_in_stock_is_no_secret() -> None:
    result = draft("when licence key stock for any product drops below 20 keys, email me")
    assert result.status == "draft", result.reason
    assert result.approval_class == "A"


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("the day after a job gets marked complete in servicem8, email the customer a review "
         "request", "0 9 * * *"),
        ("if a member's card payment fails and they still haven't paid 12h later, email them the "
         "bank details", "0 * * * *"),
        ("on the due date of each freshbooks invoice, if it's unpaid, email the client",
         "0 9 * * *"),
    ],
)  # fmt: skip
def test_a_records_own_day_or_hours_since_is_a_regular_look(request_text: str, cron: str) -> None:
    trigger = _drafted(request_text)["trigger"]
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


def test_another_invoicing_tool_is_not_stripe_and_what_is_logged_is_a_new_row() -> None:
    """Jobber's invoices were read from Stripe, the client looked up in the CRM as "a reminder",
    and "log each reminder in our sheet" read the sheet."""
    workflow = _drafted(
        "jobber invoices: 3 days after the due date, if still unpaid, email the client a "
        "reminder and log each reminder in our 'chasers' google sheet"
    )
    actions = _actions(workflow)
    assert not [a for a in actions if a.startswith(("stripe.", "crm."))]
    assert "sheets.append_row" in actions and "sheets.read_rows" not in actions
    email = next(s for s in workflow["steps"] if s["action"] == "email.send")
    assert email.get("for_each")


@pytest.mark.parametrize(
    "request_text",
    [
        "every evening at 6 capture the authorised card payments for the orders that shipped today",
        "members inactive for 2 months get removed from the community server",
    ],
)
def test_capturing_payments_and_removing_members_are_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.approval_class == "C", result.model_dump()


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("email the whole team the new rota this tuesday 9am", "0 9 * * 2"),
        ("post the launch video in #marketing next saturday at 10am", "0 10 * * 6"),
    ],
)
def test_a_coming_day_at_a_time_runs_on_that_day_and_says_so(request_text: str, cron: str) -> None:
    """ "next tuesday 9am" was a workflow run by hand; it runs on that weekday, and the card says
    to pause it after the first run when it is needed once."""
    workflow = _drafted(request_text)
    assert workflow["trigger"]["type"] == "schedule" and workflow["trigger"]["cron"] == cron
    assert "pause it after the first run" in workflow["description"]


def test_a_coming_day_with_no_time_is_still_a_one_off() -> None:
    assert _drafted("next monday remind me to call the bank")["trigger"]["type"] == "manual"


def test_a_new_row_in_a_sheet_opening_the_request_is_watched() -> None:
    workflow = _drafted("new supplier row in the vendors sheet -> email me and post it in #ops")
    assert workflow["trigger"]["type"] == "poll"


def test_a_long_send_is_named_by_what_it_sends() -> None:
    """ "email the whole team the new rota next tuesday 9am" was named, and its email titled,
    "Email the whole team the new"."""
    result = draft("email the whole team the new rota next tuesday 9am")
    assert result.workflow is not None and result.summary is not None
    assert result.workflow["name"] == "New rota"
    assert "Email the whole team the new" not in result.summary
