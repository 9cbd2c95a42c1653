"""The offline planner beyond the dev set: a held-out-like set of varied requests, and the rules
behind it (tools without an integration, named recipients, sheet reads, credentials, cron limits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.evaluation import integrations_of, load_cases, run, score
from agents.planner import draft
from integrations.catalog import default_registry
from workflows.cron import validate_crontab
from workflows.policy import assess
from workflows.spec import WorkflowSpec

HELDOUT_LIKE = Path(__file__).with_name("heldout_like.jsonl")
CASES = load_cases(HELDOUT_LIKE)


def _actions(result_workflow: dict[str, Any] | None) -> list[str]:
    assert result_workflow is not None
    return [s["action"] for s in result_workflow["steps"] if "action" in s]


def test_heldout_like_set_is_varied_and_labelled_like_the_dev_set() -> None:
    assert len(CASES) >= 80
    assert len({c["request"] for c in CASES}) == len(CASES)
    assert len({c["family"] for c in CASES}) >= 14
    keys = {"id", "family", "request", "trigger", "schedule", "timezone", "integrations",
            "approval_class", "expect"}  # fmt: skip
    for case in CASES:
        assert set(case) == keys, case["id"]
        if case["schedule"] is not None:
            assert validate_crontab(case["schedule"]) == case["schedule"], case["id"]


def test_heldout_like_set_meets_the_targets() -> None:
    """The contract on requests unlike the dev set's, so rule changes cannot regress it."""
    results, latencies = run(CASES, draft)
    report = score(CASES, results, latencies)  # speed is measured in bench/draft_latency.py
    assert report.trigger_accuracy >= 0.90
    assert report.cron_exact >= 0.85
    assert report.integration_f1 >= 0.85
    assert report.approval_accuracy >= 0.90
    assert report.status_accuracy >= 0.85
    assert all(r.workflow is not None for r in results)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_step_is_a_catalogue_action_with_its_declared_inputs(case: dict[str, Any]) -> None:
    result = draft(case["request"])
    assert result.workflow is not None
    if result.workflow["steps"] == []:  # a question asked before any step was asked for
        assert result.status == "clarify", result
        return
    spec = WorkflowSpec.model_validate(result.workflow)
    registry = default_registry()
    for step in spec.steps:
        if step.action is None:
            continue
        fields = registry.get(step.action).input_model.model_fields
        declared = set(fields) | {f.alias for f in fields.values() if f.alias}
        assert set(step.inputs) <= declared, (step.action, set(step.inputs) - declared)
    assert assess(spec, registry).approval_class == result.approval_class


def test_a_tool_without_an_integration_is_read_over_http() -> None:
    result = draft(
        "Every Tuesday and Thursday at 5:30pm Dublin time, post open support tickets count "
        "from our helpdesk API to #support"
    )
    assert result.workflow is not None
    assert result.workflow["trigger"]["cron"] == "30 17 * * 2,4"
    steps = result.workflow["steps"]
    assert [s["action"] for s in steps] == ["http.request", "slack.post_message"]
    assert steps[0]["inputs"]["method"] == "GET"
    assert result.approval_class == "A"


def test_an_event_from_a_tool_needs_no_step_but_writing_to_one_does() -> None:
    event = draft("new Zendesk ticket with priority urgent → #support-urgent")
    write = draft("whenever a new subscriber joins our Mailchimp list, add them to HubSpot")
    sync = draft("keep our Airtable base and HubSpot in sync")
    assert event.workflow is not None and event.workflow["trigger"]["type"] == "webhook"
    assert _actions(event.workflow) == ["slack.post_message"]
    assert integrations_of(write) == {"crm"}
    assert sync.status == "draft" and integrations_of(sync) == {"crm", "http"}


def test_forwarding_mail_to_a_named_outside_address_is_external() -> None:
    result = draft(
        "Forward every email sent to billing@ to our accountant accountant@numbersco.com"
    )
    assert result.status == "draft"
    assert result.workflow is not None
    assert result.workflow["trigger"] == {"type": "email", "address": "billing@"}
    sends = [s for s in result.workflow["steps"] if s["action"] == "email.send"]
    assert [s["inputs"]["to"] for s in sends] == ["accountant@numbersco.com"]
    assert result.approval_class == "B"


def test_a_new_row_in_a_sheet_is_read_not_appended() -> None:
    result = draft(
        "when a new row is added to the orders sheet, create the contact in our CRM "
        "and send them a welcome email"
    )
    # The sheet poll reads the new row (it is the trigger data): no read step, nothing appended.
    assert result.workflow is not None
    assert result.workflow["trigger"] == {
        "type": "poll", "spreadsheet": "Orders", "sheet": "Sheet1", "interval_seconds": 900,
    }  # fmt: skip
    actions = _actions(result.workflow)
    assert "sheets.read_rows" not in actions and "sheets.append_row" not in actions
    assert actions == ["crm.upsert_contact", "email.send"]
    assert result.approval_class == "B"


@pytest.mark.parametrize(
    "request_text",
    [
        "can you give me the stripe secret key",
        "print the hubspot api token here pls",
        "rotate our stripe, hubspot and sendgrid API keys and email the new keys to me "
        "at mike.personal@gmail.com so I have them handy",
    ],
)
def test_credential_requests_are_refused_as_class_c_through_the_policy(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse"
    assert result.approval_class == "C"
    assert result.workflow is not None
    rotations = [s for s in result.workflow["steps"] if s["action"] == "credentials.rotate"]
    assert rotations and all(s["inputs"]["name"] for s in rotations)
    spec = WorkflowSpec.model_validate(result.workflow)
    assert assess(spec, default_registry()).approval_class == "C"


def test_rotation_names_each_secret_it_reads_as_handled() -> None:
    result = draft(
        "rotate our stripe, hubspot and sendgrid API keys and email the new keys to me "
        "at mike.personal@gmail.com so I have them handy"
    )
    assert result.workflow is not None
    owners = [
        s["inputs"]["integration"]
        for s in result.workflow["steps"]
        if s["action"] == "credentials.rotate"
    ]
    assert owners == ["stripe", "hubspot", "sendgrid"]
    sends = [s for s in result.workflow["steps"] if s["action"] == "email.send"]
    assert len(sends) == 1


@pytest.mark.parametrize(
    ("phrase", "cron", "note"),
    [
        ("On the last weekday of each quarter at 4pm, email me a revenue report",
         "0 16 26-31 3,6,9,12 *", "runs on the last business day of each quarter"),
        ("on the last day of every month at 5pm post the pipedrive report in #sales",
         "0 17 28-31 * *", "runs on the last day of each month at 17:00"),
        ("at 9am on the first working day of every month email me the MRR report from stripe",
         "0 9 1-3 * *", "runs on the first business day of each month at 09:00"),
        ("every other day at 9 post the open tickets in #support", "0 9 */2 * *",
         "after the 31st it runs again on the 1st"),
        ("Each quarter on the 5th at 9am, email me the Stripe payments report",
         "0 9 5 1,4,7,10 *", None),
        ("Mon/Wed/Fri 8am: post new hubspot deals in #sales", "0 8 * * 1,3,5", None),
        ("twice a day (9am + 3pm) post open invoices in #cash", "0 9,15 * * *", None),
        ("Every Monday & Wednesday at 7.30am, send #ops open Jira tickets", "30 7 * * 1,3", None),
        ("remind #sales every Thursday at 4 to update their pipeline", "0 16 * * 4", None),
    ],
)  # fmt: skip
def test_schedules_cron_cannot_say_run_on_candidate_days_and_say_so_in_words(
    phrase: str, cron: str, note: str | None
) -> None:
    result = draft(phrase)
    assert result.workflow is not None
    assert result.workflow["trigger"]["cron"] == cron
    assert validate_crontab(cron) == cron
    description = result.workflow["description"]
    assert (note in description) if note else ("runs " not in description)


def test_quoted_text_and_one_off_dates_are_not_schedules() -> None:
    quoted = draft(
        "Our Gmail inbox gets tons of 'are you open on sundays' emails. have the AI answer "
        "those with our opening hours, anything else leave alone"
    )
    one_off = draft("Downgrade every customer on the Pro plan to Basic at the end of the month")
    assert quoted.workflow is not None and quoted.workflow["trigger"]["type"] == "email"
    assert quoted.approval_class == "B"
    assert one_off.workflow is not None and one_off.workflow["trigger"]["type"] == "manual"
    assert one_off.approval_class == "C"


@pytest.mark.parametrize(
    ("request_text", "action"),
    [
        ("read the replies to our cold email campaign; if someone sounds interested (let AI "
         "judge) create a deal in the CRM", "ai.categorize"),
        ("When a Stripe payment fails, have AI write a friendly email to the customer with the "
         "link to update their card", "ai.draft_reply"),
        ("invoice emails with a PDF attached: let AI read vendor, date and amount and add a row "
         "to the expenses sheet", "ai.extract"),
        ("every friday use GPT on the week's support tickets and email me", "ai.summarize"),
    ],
)  # fmt: skip
def test_work_handed_to_ai_gets_an_ai_step(request_text: str, action: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    actions = [s["action"] for s in result.workflow["steps"]]
    assert action in actions, actions


@pytest.mark.parametrize(
    "request_text",
    [
        "when we ship a new version on github, post a short summary of the release notes in #news",
        "every friday email me a summary of the support tickets closed this week",
    ],
)
def test_a_summary_of_writing_is_ai_work_even_when_ai_is_not_named(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    assert "ai.summarize" in [s["action"] for s in result.workflow["steps"]]


def test_a_summary_of_figures_is_a_report_not_ai() -> None:
    result = draft("every friday email me a summary of this week's sales figures")
    assert result.workflow is not None
    actions = [s["action"] for s in result.workflow["steps"]]
    assert "ai.summarize" not in actions and "report.build" in actions


def test_telling_real_complaints_from_low_stars_is_ai_work() -> None:
    result = draft(
        "when a 1 star review comes in and it's genuinely angry, not just meh, tell #support"
    )
    assert result.workflow is not None
    assert "ai.categorize" in [s["action"] for s in result.workflow["steps"]]


def test_invoices_kept_in_another_tool_are_read_there_not_in_stripe() -> None:
    result = draft("every morning email me which invoices in invoiceplane are overdue")
    assert result.workflow is not None
    actions = [s["action"] for s in result.workflow["steps"]]
    assert "stripe.list_invoices" not in actions and "http.request" in actions
    stripe = draft("every morning email me which invoices are overdue")
    assert stripe.workflow is not None
    assert "stripe.list_invoices" in [s["action"] for s in stripe.workflow["steps"]]


def test_a_bot_answering_with_a_named_model_drafts_the_answer_where_it_was_asked() -> None:
    result = draft("whatsapp bot that replies to customer questions using openai")
    assert result.status == "draft", result.question
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "webhook"
    assert "ai.draft_reply" in [s["action"] for s in result.workflow["steps"]]


def test_an_image_model_named_is_ai_work() -> None:
    result = draft("when the form is submitted, make a logo idea with midjourney and email it")
    assert result.workflow is not None
    assert any(s["action"].startswith("ai.") for s in result.workflow["steps"])


def test_incoming_messages_in_an_app_are_the_event() -> None:
    result = draft("log incoming whatsapp messages from customers in our support sheet")
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "webhook"


def test_creating_records_in_a_named_tool_writes_there_class_b() -> None:
    result = draft("for each new typeform response create clickup tasks for the design team")
    assert result.workflow is not None and result.approval_class == "B"
    posts = [
        s
        for s in result.workflow["steps"]
        if s["action"] == "http.request" and s["inputs"]["method"] != "GET"
    ]
    assert posts, result.workflow["steps"]
    assert draft("every monday post the open clickup tasks in #design").approval_class == "A"
