"""Sample messages: each message step rendered with the real renderer on realistic sample data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.catalog import default_registry
from workflows.catalog import TemplateCatalog
from workflows.describe import describe
from workflows.sample_triggers import sample_trigger
from workflows.samples import SKIPPED, SampleMessage, preview, sample_output
from workflows.spec import TRIGGER_TYPES

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def template_spec(template_id: str, **values: Any) -> dict[str, Any]:
    """A template filled in with its defaults, examples and `values`."""
    template = TemplateCatalog.load().get(template_id)
    filled = {
        name: p.default if not p.required else p.example for name, p in template.parameters.items()
    }
    spec = template.instantiate(filled | values)
    return spec.model_dump(mode="json", exclude_none=True)


def messages(spec: dict[str, Any]) -> list[SampleMessage]:
    return list(preview(spec, now=NOW).values())


def test_the_lead_form_post_shows_the_sample_lead_in_the_channel() -> None:
    spec = template_spec("lead-capture-crm", channel="#sales")
    [post] = messages(spec)
    assert post.headline() == "It will post in #sales:"
    assert post.body.startswith("New lead from website form: Jane Doe <jane@example.com>")
    assert "Doe Bakery" in post.body and "pricing for a team of 10" in post.body
    assert "(new contact)" in post.body  # the CRM step's sample output says it was created
    step = describe(spec, now=NOW).steps[1]
    assert step.message == post and step.text.startswith("Post the new lead's name")


def test_a_written_email_is_rendered_with_its_subject_and_resolved_recipient() -> None:
    spec = template_spec("lead-instant-reply", business_name="Acme Plumbing")
    [mail] = messages(spec)
    assert mail.headline() == "It will email the person who filled in the form (jane@example.com):"
    assert mail.subject == "Thanks for getting in touch with Acme Plumbing"
    assert mail.body.startswith("Hi Jane Doe, thank you for contacting Acme Plumbing.")


def test_an_auto_reply_uses_the_offline_ai_reply_on_the_sample_email() -> None:
    spec = {
        "name": "Replies",
        "trigger": {"type": "email", "address": "help@acme.example"},
        "steps": [
            {
                "id": "sort",
                "action": "ai.categorize",
                "inputs": {
                    "text": "{{ trigger.text }}",
                    "labels": ["billing", "shipping", "other"],
                },
            },
            {
                "id": "answer",
                "action": "ai.draft_reply",
                "inputs": {"message": "{{ trigger.text }}", "label": "{{ steps.sort.label }}"},
            },
            {
                "id": "reply",
                "action": "email.send",
                "inputs": {
                    "to": "{{ trigger.from }}",
                    "subject": "Re: {{ trigger.subject }}",
                    "text": "{{ steps.answer.reply }}",
                    "in_reply_to": "{{ trigger.message_id }}",
                },
            },
            {
                "id": "flag",
                "action": "slack.post_message",
                "when": "steps.sort.label == 'shipping'",
                "inputs": {"channel": "#ops", "text": "Shipping question from {{ trigger.from }}"},
            },
        ],
    }
    found = preview(spec, now=NOW)
    reply = found["reply"]
    assert reply.to == "the sender (dana@example.com)"
    assert reply.subject == "Re: Where is my order #1234?"
    assert reply.body.startswith("Hi there,") and "Thank you for your message about billing" in (
        reply.body
    )
    assert found["flag"].note == SKIPPED  # the sample email is sorted as billing, not shipping


def test_the_weekly_report_email_carries_the_sample_report() -> None:
    spec = {
        "name": "Weekly",
        "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
        "steps": [
            {"id": "report", "action": "report.build", "inputs": {"period": "7 days"}},
            {
                "id": "mail",
                "action": "email.send",
                "inputs": {
                    "to": "member:me",
                    "subject": "{{ steps.report.title }}",
                    "text": "{{ steps.report.text }}",
                },
            },
        ],
    }
    [mail] = messages(spec)
    assert mail.headline() == "It will email you:" and mail.subject == "Weekly report"
    assert mail.body.startswith("Weekly report: 42 runs, 41 succeeded")


def test_a_stripe_alert_renders_the_sample_event() -> None:
    spec = template_spec("failed-payment-alert", channel="#finance")
    post = messages(spec)[0]
    assert post.headline() == "It will post in #finance:"
    assert "Dana Lee (dana@example.com)" in post.body and "ACME-0042" in post.body


def test_a_field_the_sample_lacks_reads_as_its_name_not_an_error() -> None:
    spec = template_spec("deal-won-handoff", channel="#onboarding")
    post = messages(spec)[0]
    assert post.body == ":tada: Deal won with Jane Doe ([deal]). Time to onboard!"


def test_reminders_and_http_sends_are_shown_too() -> None:
    reminders = messages(template_spec("invoice-follow-up", business_name="Acme Plumbing"))[0]
    assert reminders.headline() == "It will email each customer with an overdue invoice:"
    assert reminders.subject == "Reminder from Acme Plumbing: invoice ACME-0042 is 8 days overdue"
    forward = {
        "name": "Forward",
        "trigger": {"type": "webhook"},
        "steps": [
            {
                "id": "send",
                "action": "http.request",
                "inputs": {
                    "method": "POST",
                    "url": "https://hooks.example.com/in",
                    "json": {"who": "{{ trigger.name }}"},
                },
            }
        ],
    }
    [sent] = messages(forward)
    assert sent.headline() == "It will send this to hooks.example.com:"
    assert '"who": "Jane Doe"' in sent.body
    delete = {
        "name": "Purge",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "purge",
                "action": "http.request",
                "inputs": {"method": "DELETE", "url": "https://api.example.com/logs"},
            }
        ],
    }
    assert messages(delete) == []  # nothing is sent in it: no "null" message to preview


@pytest.mark.parametrize("kind", TRIGGER_TYPES)
def test_each_trigger_kind_has_a_realistic_sample(kind: str) -> None:
    triggers: dict[str, dict[str, Any]] = {
        "manual": {"type": "manual"},
        "schedule": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "Europe/London"},
        "interval": {"type": "interval", "seconds": 60},
        "webhook": {
            "type": "webhook",
            "form": {
                "title": "Quote",
                "fields": [
                    {"name": "full_name", "label": "Name"},
                    {"name": "work_email", "label": "Email", "type": "email"},
                    {"name": "guests", "label": "Guests", "type": "number"},
                ],
            },
        },
        "email": {"type": "email", "address": "quotes@acme.example", "subject_contains": "Quote"},
        "slack": {"type": "slack", "command": "/lead", "channel": "#sales"},
        "stripe": {"type": "stripe", "events": ["charge.succeeded"]},
        "poll": {"type": "poll", "url": "https://news.example.com/feed"},
    }
    payload, about = sample_trigger(triggers[kind], NOW)
    assert about.startswith(("a sample", "two sample"))
    expected: dict[str, Any] = {
        "manual": {"fired_at": NOW.isoformat()},
        "interval": {"fired_at": NOW.isoformat()},
        "schedule": {"fired_at": "2026-12-07T09:00:00+00:00"},
        "webhook": {"full_name": "Jane Doe", "work_email": "jane@example.com", "guests": 10},
    }
    if kind in expected:
        assert payload == expected[kind]
    elif kind == "email":
        assert payload["to"] == ["quotes@acme.example"] and payload["from"] == "dana@example.com"
        assert payload["subject"].startswith("Quote: ")
    elif kind == "slack":
        assert payload["command"] == "/lead" and payload["channel_name"] == "sales"
    elif kind == "stripe":
        assert payload["type"] == "charge.succeeded"
        assert payload["data"]["object"]["object"] == "charge"
    else:
        assert payload["count"] == 2 and payload["items"][0]["title"]


@pytest.mark.parametrize("action", default_registry().names())
def test_every_action_has_a_sample_output_its_output_model_accepts(action: str) -> None:
    examples: dict[str, dict[str, Any]] = {
        "ai.categorize": {"text": "my invoice is wrong", "labels": ["billing", "other"]},
        "ai.summarize": {"text": "One. Two. Three. Four."},
        "ai.extract": {"text": "Call Jane Doe on +1 555 0100", "fields": ["name", "phone"]},
        "ai.draft_reply": {"message": "Hi, this is Jane", "label": "question"},
        "slack.post_message": {"channel": "#ops", "text": "hi"},
        "email.send": {"to": "a@b.example", "subject": "s", "text": "t"},
    }
    output = sample_output(action, examples.get(action, {}))
    model = default_registry().get(action).output_model
    assert output and model.model_validate(output)
