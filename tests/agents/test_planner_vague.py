"""Vague requests get one question with concrete options; clear ones are drafted."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "help me with my leads",
        "sort out our customer feedback",
        "can you automate our invoices?",
        "our pipeline is a mess, can you fix it",
        "do something useful with the support inbox",
        "any ideas for our onboarding?",
        "can you do our marketing reports",
        "route my leads with AI",
        "sync our contact lists with tools like mailchimp and hubspot",
        "we need seamless contact synchronization with our CRM",
        "remind me about my unfinished stuff every now and then",
        "from time to time send the team something motivating",
    ],
)
def test_a_vague_request_is_answered_with_a_question_and_template_options(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question and result.question.endswith("?")
    assert result.suggestions is not None and 2 <= len(result.suggestions) <= 3
    assert all(len(s) < 120 for s in result.suggestions)


def test_the_options_are_about_what_was_asked() -> None:
    leads = draft("help me with my leads").suggestions or []
    assert any("lead" in s.lower() for s in leads)
    money = draft("can you automate our invoices?").suggestions or []
    assert any("invoice" in s.lower() or "payment" in s.lower() for s in money)


@pytest.mark.parametrize(
    "request_text",
    [
        "help me post every new lead from the website form in #sales",
        "every monday at 9 send me the leads report by email",
        "when a stripe payment fails, help the customer: email them the pay link",
        "improve our follow-up: 2 days after a demo booking, email the person a thank-you",
        "route my leads to #sales by region",
        "typeform to slack",
        "every night sync new hubspot contacts to mailchimp",
    ],
)
def test_a_clear_request_that_says_help_or_improve_is_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"


def test_a_missing_destination_is_asked_with_choices() -> None:
    result = draft("send the report")
    assert result.status == "clarify"
    assert result.suggestions and any("email" in s.lower() for s in result.suggestions)
    assert any("#" in s for s in result.suggestions)


def test_a_monitor_without_an_address_is_drafted_not_asked_about() -> None:
    result = draft("alert #ops when our website goes down")
    assert result.status == "draft" and result.question is None  # its address is filled in later
    named = draft("alert #ops when our website tidyhome.io goes down")
    assert named.status == "draft" and named.workflow is not None
    assert named.workflow["steps"][0]["inputs"]["url"] == "https://tidyhome.io"


def test_a_vague_request_keeps_the_schedule_it_names() -> None:
    result = draft("i want a weekly marketing report")
    assert result.status == "clarify"
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert (trigger["type"], trigger["cron"]) == ("schedule", "0 9 * * 1")


@pytest.mark.parametrize(
    ("request_text", "asks"),
    [
        # the person says the shape is still open
        ("when a member joins, send them a few onboarding emails. not sure yet what goes in them",
         "Which of these"),
        ("email the customer (or a few) a while after checkout asking them to do whatever",
         "Which of these"),
        ("a summary email for the whole warehouse team, daily or weekly",
         "What should it show and who gets it"),
        # a workflow with nothing for it to do
        ("i want to trigger an automation whenever a new row lands in our google sheet",
         "What should the workflow do each time"),
        # a report that names nothing to report on
        ("we want email reports", "What should it show and who gets it"),
    ],
)  # fmt: skip
def test_a_request_that_leaves_what_to_build_open_is_asked_about(
    request_text: str, asks: str
) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question and asks in result.question
    assert result.suggestions is not None and 2 <= len(result.suggestions) <= 3


@pytest.mark.parametrize(
    "request_text",
    [
        "daily summary email of yesterday's support tickets to me at 8am",
        "email the admins when a new report is filed",
        "each email that comes into support@ -> a two line AI summary posted in #support",
        "every friday 4pm a digest of the week's closed deals in #sales",
    ],
)
def test_a_report_or_summary_that_says_what_it_holds_is_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"


def test_a_vague_request_keeps_the_start_it_names() -> None:
    """'do something smart with my inbox' is asked about, and mail arriving stays its start."""
    result = draft("do something smart with my inbox")
    assert result.status == "clarify"
    assert result.workflow is not None and result.workflow["trigger"]["type"] == "email"


@pytest.mark.parametrize(
    "request_text",
    [
        "salesforce to airtable",
        "collect leads into hubspot",
        "i'm sick of chasing late payers, can you automate that",
    ],
)
def test_requests_naming_no_records_source_or_action_get_a_question(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result.workflow
    assert result.suggestions


def test_a_report_with_no_time_and_no_reader_asks_when_and_for_whom() -> None:
    result = draft("make me an overdue invoices report")
    assert result.status == "clarify"
    assert result.question is not None and "When should it run" in result.question


@pytest.mark.parametrize(
    "request_text", ["set up invoice reminders", "we want to send newsletters"]
)
def test_a_few_words_naming_no_start_place_or_value_get_a_question(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result.workflow
    assert result.suggestions


def test_a_short_one_off_with_a_value_is_still_drafted() -> None:
    assert draft("cancel subscription sub_4821 in stripe").status != "clarify"


def test_a_scheduled_report_sent_nowhere_asks_where_it_should_go() -> None:
    result = draft("every monday build a report of last week's website visits")
    assert result.status == "clarify"
    assert result.question is not None and "Where should I send it" in result.question
    assert draft("every monday email me a report of last week's website visits").status == "draft"


@pytest.mark.parametrize(
    "request_text",
    [
        # a tool or a start is named, and still nothing says what to do with it
        "back up my contacts regularly",
        "i want to schedule sales reports and get them by email",
    ],
)
def test_a_request_naming_a_start_or_one_tool_can_still_be_too_vague(request_text: str) -> None:
    """The vagueness model was asked only where the words named nothing at all; where they name a
    start or one tool it now decides at its stricter line (agents/planner/__init__.py)."""
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question and result.suggestions


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday post the new leads from hubspot in #sales",
        "whenever a contract gets signed in docusign email the account manager a copy",
        "typeform to slack",
        "remove old contacts from the crm",
    ],
)
def test_the_stricter_line_leaves_clear_requests_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"


def test_the_vagueness_models_stricter_line_was_calibrated_on_left_out_sets() -> None:
    from agents.learned.risk import shipped_vague

    model = shipped_vague()
    assert model.strict_threshold > model.threshold
    assert model.meta["strict_false_alarms"] <= 0.0026  # a quarter of the usual line's 1%
    assert model.meta["strict_recall"] > 0.7


def test_a_risky_request_asked_about_on_the_stricter_line_stays_class_c() -> None:
    """Asked about where its words name a start or a tool, a request the risk model reads as
    risky keeps class C (drafted before, it was class B: customer data sent out unchecked)."""
    result = draft("export every customer record regularly")
    assert result.status == "clarify" and result.approval_class == "C"
