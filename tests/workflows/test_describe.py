"""The plain-words describer: every registry action, every trigger kind, recipients, conditions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agents.planner import draft
from integrations.catalog import default_registry
from workflows.catalog import Template, TemplateCatalog
from workflows.describe import describe, reasons_in_words, step_sentences, summary, trigger_words
from workflows.describe_people import host_words
from workflows.describe_steps import ACTION_WORDS
from workflows.spec import TRIGGER_TYPES

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # a Thursday
DEV = Path(__file__).parents[1] / "agents" / "dev_cases.jsonl"
# Technical text a customer must never read outside "Advanced".
TECHNICAL = re.compile(r"\{\{|\{%|\bmember:|\bsteps\.[a-z]|\btrigger\.[a-z]|`|_id\b")

# Each action with inputs the way drafts write them (templated where drafts template them).
INPUTS: dict[str, dict[str, Any]] = {
    "ai.categorize": {"text": "{{ trigger.text }}", "labels": ["billing", "shipping", "other"]},
    "ai.draft_reply": {"message": "{{ trigger.text }}", "label": "{{ steps.sort.label }}"},
    "ai.extract": {"text": "{{ trigger.text }}", "fields": ["name", "phone"]},
    "ai.summarize": {"text": "{{ trigger.text }}", "max_sentences": 2},
    "alert.crossed": {"key": "latency", "value": "{{ trigger.value }}", "threshold": 500},
    "credentials.rotate": {"integration": "stripe", "name": "api_key"},
    "crm.delete_contacts": {"inactive_for": "365 days", "stage": "lead"},
    "crm.find_contacts": {"stage": "lead", "created_within": "7 days"},
    "crm.get_contact": {"email": "{{ trigger.from }}"},
    "crm.sync_hubspot": {},
    "crm.update_contact": {"email": "{{ trigger.from }}", "stage": "customer", "note": "hi"},
    "crm.upsert_contact": {"email": "{{ trigger.from }}", "name": "{{ trigger.from_name }}"},
    "email.send": {"to": "member:me", "subject": "Weekly", "text": "{{ steps.report.text }}"},
    "email.send_bulk": {"segment": {"stage": "customer"}, "subject": "News", "text": "Hello"},
    "http.request": {
        "method": "POST",
        "url": "https://hooks.example.com/x",
        "json": "{{ trigger }}",
    },
    "hubspot.list_contacts": {"changed_since": "{{ now }}"},
    "hubspot.upsert_contact": {"email": "{{ trigger.from }}"},
    "report.build": {"period": "7 days"},
    "rss.new_items": {"url": "https://news.example.com/feed.xml", "keywords": ["acme"]},
    "sheets.append_row": {"spreadsheet": "Leads", "sheet": "Sheet1", "values": "{{ trigger }}"},
    "sheets.read_rows": {"spreadsheet": "Leads", "sheet": "Sheet1"},
    "sheets.update_row": {
        "spreadsheet": "Leads",
        "sheet": "Sheet1",
        "match": {"email": "{{ trigger.from }}"},
        "values": {"stage": "won"},
    },
    "slack.post_message": {"channel": "#ops", "text": "{{ steps.summary.summary }}"},
    "social.mentions": {"keywords": ["acme"], "sources": ["reddit", "hackernews"]},
    "stripe.get_customer": {"customer_id": "{{ trigger.customer_id }}"},
    "stripe.invoice_reminders": {"stages": [3, 7], "subject": "Invoice {invoice}", "text": "Pay"},
    "stripe.list_invoices": {"status": "open", "overdue_days": 7},
    "stripe.mark_invoice_paid": {"invoice_id": "{{ trigger.data.object.id }}"},
    "stripe.summarize_payments": {"period": "1 day"},
    "stripe.update_customer": {"customer_id": "cus_1", "metadata": {"tier": "gold"}},
    "stripe.update_subscription": {"subscription_id": "all", "price": "price_123"},
}


def one_step(action: str, trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    """A spec: an email trigger, the steps other inputs refer to, then `action`."""
    return {
        "name": "Sample",
        "trigger": trigger or {"type": "email", "address": "support@acme.example"},
        "steps": [
            {"id": "sort", "action": "ai.categorize", "inputs": INPUTS["ai.categorize"]},
            {"id": "report", "action": "report.build", "inputs": {}},
            {"id": "summary", "action": "ai.summarize", "inputs": INPUTS["ai.summarize"]},
            {"id": "it", "action": action, "inputs": INPUTS.get(action, {})},
        ],
    }


def customer_text(spec: dict[str, Any]) -> list[str]:
    """Everything the describer gives a customer to read (not the Advanced lines)."""
    described = describe(spec, now=NOW)
    texts = [described.trigger, described.summary, *described.next_runs]
    for step in described.steps:
        texts.append(step.text)
        if step.message is not None:
            texts += [step.message.headline(), step.message.to]
    return texts


def technical_bits(text: str, spec: dict[str, Any]) -> list[str]:
    """Action ids, template syntax, member references or the crontab found in `text`."""
    found = [name for name in default_registry().names() if name in text]
    found += TECHNICAL.findall(text)
    cron = (spec.get("trigger") or {}).get("cron")
    return found + ([cron] if cron and cron in text else [])


@pytest.mark.parametrize("action", default_registry().names())
def test_every_registry_action_has_words_without_technical_text(action: str) -> None:
    assert action in ACTION_WORDS, f"{action} has no words in workflows.describe_steps"
    spec = one_step(action)
    sentence = step_sentences(spec)[-1]
    assert sentence and sentence[0].isupper() and not sentence.startswith("Do a step")
    assert technical_bits(sentence, spec) == [], sentence
    assert technical_bits(summary(spec), spec) == []


def test_the_sentences_say_what_happens_to_whom() -> None:
    said = {action: step_sentences(one_step(action))[-1] for action in INPUTS}
    assert said["email.send"] == "Email you the report"
    assert said["slack.post_message"] == "Post the AI summary in #ops"
    assert said["social.mentions"] == "Look for new mentions of “acme” on Reddit and Hacker News"
    assert said["ai.categorize"] == "Have AI sort the email into billing, shipping or other"
    assert said["crm.upsert_contact"] == "Add or update the sender as a contact in your CRM"
    assert said["crm.delete_contacts"] == (
        "Delete CRM contacts at stage “lead” not updated for 365 days"
    )
    assert said["email.send_bulk"] == (
        "Email every CRM contact at stage “customer” an email titled “News”"
    )
    assert said["http.request"] == (
        "Send the email to hooks.example.com (its web address is still to be filled in)"
    )
    assert (
        said["stripe.update_subscription"]
        == "Move every active subscription in Stripe to another price"
    )
    lead = {
        "name": "New leads",
        "category": "lead_capture",
        "trigger": {"type": "webhook"},
        "steps": [
            {
                "id": "save",
                "action": "crm.upsert_contact",
                "inputs": {"email": "{{ trigger.email }}"},
            },
            {
                "id": "tell",
                "action": "slack.post_message",
                "inputs": {
                    "channel": "#sales",
                    "text": "New lead: {{ trigger.name }}: {{ trigger.message }}",
                },
            },
            {
                "id": "thank",
                "action": "email.send",
                "inputs": {
                    "to": "{{ trigger.email }}",
                    "subject": "Thanks!",
                    "text": "We will call you.",
                },
            },
            {"id": "later", "wait": "2d"},
        ],
    }
    assert step_sentences(lead) == [
        "Add or update the person as a contact in your CRM",
        "Post the new lead's name and message in #sales",
        "Send an email titled “Thanks!” to the person who filled in the form",
        "Wait 2 days",
    ]


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("member:me", "you"),
        ("member:owners", "the workspace owners"),
        (["member:me", "ops@acme.example"], "you and ops@acme.example"),
        ("{{ trigger.email }}", "the person who filled in the form"),
        ("{{ steps.find.contacts[0].email }}", "the contact it finds"),
    ],
)
def test_recipients_in_words(to: Any, words: str) -> None:
    spec: dict[str, Any] = {
        "trigger": {"type": "webhook"},
        "steps": [
            {"id": "find", "action": "crm.find_contacts", "inputs": {}},
            {
                "id": "mail",
                "action": "email.send",
                "inputs": {"to": to, "subject": "Hi", "text": "Hello there"},
            },
        ],
    }
    expected = f"Send an email titled “Hi” to {words}"
    if words == "you":
        expected = "Send you an email titled “Hi”"
    assert step_sentences(spec)[-1] == expected
    sender: dict[str, Any] = {"trigger": {"type": "email"}, "steps": [spec["steps"][1]]}
    sender["steps"][0]["inputs"]["to"] = "{{ trigger.from }}"
    assert step_sentences(sender) == ["Send an email titled “Hi” to the sender"]


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("steps.sort.label == 'billing'", "Only if AI sorted it as “billing”: post"),
        ("steps.sort.label in ['a', 'b']", "Only if AI sorted it as “a” or “b”: post"),
        ("steps.sort.label != 'spam'", "Only if AI did not sort it as “spam”: post"),
        ("steps.check.status >= 400", "Only if the response status is at least 400: post"),
        ("steps.find.count > 0", "Only if there are matching contacts: post"),
        ("steps.find.contacts | length == 0", "Only if there are no matching contacts: post"),
        ("steps.alarm.crossed", "Only if the value crossed the limit: post"),
        (
            "(trigger.budget | default(0) | float) > 10000",
            "Only if the email's budget is over 10,000",
        ),
        ("not (trigger.cancelled | default(false))", "Only if the email was not cancelled: post"),
        ("trigger.bot_id is not defined", "Only if it was not posted by a bot: post"),
        (
            "steps.sort.label == 'a' and steps.check.status < 300",
            "Only if AI sorted it as “a” and the response status is under 300: post",
        ),
        (
            "steps.find.contacts | selectattr('stage', 'eq', 'x') | list",
            "(only when a condition holds)",
        ),
        ("trigger.total / 100 >= 5", "(only when a condition holds)"),
    ],
)
def test_conditions_in_words_when_simple(when: str, words: str) -> None:
    spec = {
        "trigger": {"type": "email"},
        "steps": [
            {"id": "sort", "action": "ai.categorize", "inputs": {"text": "x", "labels": ["a"]}},
            {"id": "check", "action": "http.request", "inputs": {"url": "https://x.example"}},
            {"id": "find", "action": "crm.find_contacts", "inputs": {}},
            {
                "id": "alarm",
                "action": "alert.crossed",
                "inputs": {"key": "k", "value": 1, "threshold": 2},
            },
            {
                "id": "tell",
                "action": "slack.post_message",
                "when": when,
                "inputs": {"channel": "#ops", "text": "Look"},
            },
        ],
    }
    sentence = step_sentences(spec)[-1]
    assert words in sentence
    assert technical_bits(sentence, spec) == []


def test_every_trigger_kind_in_words_and_the_next_runs_for_people() -> None:
    examples = {
        "manual": ({"type": "manual"}, "only when someone runs it"),
        "schedule": (
            {"type": "schedule", "cron": "0 9 * * 1", "timezone": "Europe/London"},
            "every Monday at 09:00 (Europe/London)",
        ),
        "interval": ({"type": "interval", "seconds": 300}, "every 5 minutes"),
        "webhook": (
            {"type": "webhook", "form": {"title": "Get in touch", "fields": []}},
            "when someone fills in the “Get in touch” form",
        ),
        "email": (
            {"type": "email", "address": "support@acme.example", "subject_contains": "order"},
            "when an email arrives at support@acme.example with “order” in the subject",
        ),
        "slack": ({"type": "slack", "command": "/lead"}, "when someone types /lead in Slack"),
        "stripe": (
            {"type": "stripe", "events": ["invoice.payment_failed", "charge.refunded"]},
            "in Stripe, when an invoice payment fails or a payment is refunded",
        ),
        "poll": (
            {"type": "poll", "url": "https://news.example.com/rss?q=acme", "interval_seconds": 900},
            "when new items appear at news.example.com (checked every 15 minutes)",
        ),
    }
    assert set(examples) == set(TRIGGER_TYPES)
    for trigger, words in examples.values():
        assert trigger_words(trigger) == words
    spec = {"name": "Weekly", "trigger": examples["schedule"][0], "steps": []}
    london = describe(spec, now=NOW)
    assert london.next_runs == ["Mon 7 Dec, 09:00", "Mon 14 Dec, 09:00", "Mon 21 Dec, 09:00"]
    assert london.runs_zone == "Europe/London"
    new_york = describe(spec, timezone="America/New_York", now=NOW)
    assert new_york.next_runs[0] == "Mon 7 Dec, 04:00" and new_york.runs_zone == "America/New_York"
    assert describe({**spec, "trigger": examples["email"][0]}).next_runs == []


def test_an_unusual_crontab_is_a_custom_schedule_with_its_next_runs() -> None:
    trigger = {"type": "schedule", "cron": "15 */5 1-10/2 * *", "timezone": "UTC"}
    spec = {"name": "Odd hours", "trigger": trigger, "steps": []}
    described = describe(spec, now=NOW)
    assert "*" not in described.trigger and "/" not in described.trigger
    assert described.next_runs == ["Thu 3 Dec, 10:15", "Thu 3 Dec, 15:15", "Thu 3 Dec, 20:15"]
    assert any("15 */5 1-10/2 * *" in line for line in described.advanced)
    office = {"type": "schedule", "cron": "*/20 9-17 * * 1-5", "timezone": "UTC"}
    assert describe({"name": "Office", "trigger": office, "steps": []}).trigger == (
        "every 20 minutes from 09:00 to 17:40, Monday to Friday (UTC)"
    )


def test_summary_is_one_paragraph_and_advanced_keeps_the_technical_view() -> None:
    spec = one_step("email.send", {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"})
    described = describe(spec, now=NOW)
    assert described.summary == (
        "Every Monday at 09:00 (UTC), Levqor will have AI sort the run's text into billing, "
        "shipping or other, then build a report of the last 7 days (runs, failures, new leads), "
        "then have AI summarise the run's text in up to 2 sentences, then email you the report."
    )
    assert "\n" not in described.summary
    assert (
        described.advanced[0].startswith("Trigger: ")
        and '"cron": "0 9 * * 1"' in described.advanced[0]
    )
    assert (
        described.advanced[-1].startswith("4. it: email.send ")
        and "member:me" in described.advanced[-1]
    )


def test_reasons_for_the_class_in_words() -> None:
    spec = one_step("email.send")
    spec["steps"][-1]["inputs"]["to"] = "{{ trigger.from }}"
    said = reasons_in_words(spec, ["it: email.send is external", "internal only: it reads"])
    assert said == [
        "Step 4 reaches people outside your team or changes another system's records: "
        "email the report to the sender.",
        "internal only: it reads",
    ]


def test_a_write_with_an_impact_says_what_it_does_in_the_reasons() -> None:
    spec = {
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "reprice",
                "name": "Lower every product price by 10%",
                "action": "http.request",
                "inputs": {"method": "POST", "url": "https://shop.acme-widgets.co.uk/admin/products",
                           "impact": "prices"},
            }
        ],
    }  # fmt: skip
    said = reasons_in_words(spec, ["reprice: http.request is critical"])
    assert said == [
        "Step 1 changes what your customers pay: lower every product price by 10% "
        "(through shop.acme-widgets.co.uk)."
    ]


def test_half_edited_specs_are_described_as_far_as_they_make_sense() -> None:
    broken: list[Any] = [
        {},
        {"trigger": "x", "steps": "y"},
        {"trigger": {"type": "schedule", "cron": "nonsense"}, "steps": [None, 3]},
        {
            "trigger": {"type": "email"},
            "steps": [{"id": "a", "action": "slack.post_message", "inputs": "x", "when": "((("}],
        },
        {
            "trigger": {"type": "webhook"},
            "steps": [{"id": "b", "action": "email.send", "inputs": {"to": 5, "text": "{{ oops"}}],
        },
        {"trigger": {"type": "stripe", "events": "invoice.paid"}, "steps": [{"wait": "soon"}]},
    ]
    for spec in broken:
        described = describe(spec, now=NOW)
        assert described.summary and isinstance(described.steps, list)


def _instantiated(template: Template) -> dict[str, Any]:
    values = {
        name: p.default if not p.required else (p.example if p.example is not None else name)
        for name, p in template.parameters.items()
    }
    return template.instantiate(values).model_dump(mode="json", exclude_none=True)


def test_no_template_or_drafted_workflow_shows_technical_text() -> None:
    specs = [_instantiated(t) for t in TemplateCatalog.load().list()]
    for line in DEV.read_text().splitlines():
        result = draft(json.loads(line)["request"])
        if result.workflow:
            specs.append(result.workflow)
    assert len(specs) > 60
    for spec in specs:
        for text in customer_text(spec):
            assert technical_bits(text, spec) == [], (spec.get("name"), text)


def test_a_stand_in_tool_named_by_letters_is_said_in_capitals() -> None:
    assert host_words("https://api.ftp.example/v1/actions") == "FTP"
    assert host_words("https://api.booking-portal.example/v1/actions") == "Booking Portal"
    assert host_words("https://api.hr-system.example/v1") == "HR System"
