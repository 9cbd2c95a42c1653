"""What drafted messages say: written for their purpose, or presenting what the step before read.

Each case drafts a request with the offline planner, then renders its messages on the sample
data with the real renderer (`workflows.samples.preview`) and checks the plain-words summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agents.intents import classify
from agents.planner import draft
from agents.views import draft_card
from workflows.describe import summary
from workflows.samples import SampleMessage, preview

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
STAND_INS = {"Update", "Update from Levqor", "Hello from us", "News from us"}


def drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.status == "draft", result.question or result.reason
    assert result.workflow is not None
    return result.workflow


def messages(spec: dict[str, Any]) -> list[SampleMessage]:
    found = list(preview(spec, now=NOW).values())
    assert found, spec
    for message in found:  # never the trigger dumped as key: value lines
        assert "fired_at" not in message.body and "evt_" not in message.body
        assert message.subject not in STAND_INS
    return found


@pytest.mark.parametrize(
    ("request_text", "body"),
    [
        (
            "on the last friday of each month remind #team to submit timesheets",
            "Reminder: please submit your timesheets.",
        ),
        (
            "every monday at 9am remind #ops to check the fire extinguishers",
            "Reminder: please check the fire extinguishers.",
        ),
        (
            "every weekday at 5pm send a reminder to #staff to lock the back door",
            "Reminder: please lock the back door.",
        ),
        # the channel is who gets it, not the point ("Reminder: please #staff." before)
        (
            "payday reminder to #staff at 8am on the 15th and the last day of the month",
            "Payday reminder.",
        ),
        ("every friday at 4 a timesheet reminder to #ops", "Timesheet reminder."),
    ],
)
def test_a_reminder_says_its_point_not_the_schedule_tick(request_text: str, body: str) -> None:
    spec = drafted(request_text)
    [post] = messages(spec)
    assert post.body == body
    assert f"“{body}”" in summary(spec)
    assert "Reminder" in spec["name"] or "reminder" in spec["name"]


def test_a_monthly_reminder_is_named_monthly_after_its_point() -> None:
    spec = drafted("on the last friday of each month remind #team to submit timesheets")
    assert spec["name"] == "Monthly timesheet reminder"


def test_a_reminder_named_by_what_it_is_for_is_named_after_it() -> None:
    spec = drafted("payday reminder to #staff at 8am on the 15th and the last day of the month")
    assert spec["name"] == "Monthly payday reminder"  # not "Monthly reminder reminder"


@pytest.mark.parametrize(
    ("request_text", "host"),
    [
        ("twice a day at 8 and 5 post open zendesk tickets count to #support", "from Zendesk"),
        ("every hour post the status of https://status.example.com/api to #ops", "status.example"),
        ("every morning at 8 post the open github issues to #dev", "from Github"),
    ],
)
def test_a_post_after_a_fetch_presents_what_was_fetched(request_text: str, host: str) -> None:
    spec = drafted(request_text)
    fetch = next(s for s in spec["steps"] if s.get("action") == "http.request")
    post = next(s for s in spec["steps"] if s.get("action") == "slack.post_message")
    assert "steps." + fetch["id"] in post["inputs"]["text"]
    [message] = messages(spec)
    first, _, rest = message.body.partition("\n")
    assert host in first and first.endswith(":")  # a sentence naming what was fetched
    # the fetched sample records, one line each, not the trigger nor the response's envelope
    assert rest.strip() == "• Sample record 1\n• Sample record 2"


@pytest.mark.parametrize(
    "request_text",
    [
        "first business day of the month email accounts@bramble.test the list of unpaid invoices",
        "every monday email finance@acme.test our overdue invoices",
        "every friday at 4pm post unpaid invoices to #finance",
    ],
)
def test_an_invoice_list_names_customer_amount_and_days_overdue(request_text: str) -> None:
    spec = drafted(request_text)
    [message] = messages(spec)
    assert "Dana Lee: 49.00 USD, 8 days overdue (invoice ACME-0042)" in message.body
    assert "nvoices (1):" in message.body.splitlines()[0]
    if message.kind == "email":
        assert message.subject == spec["name"]


@pytest.mark.parametrize(
    "request_text",
    [
        "when a customer pays an invoice in stripe, thank them by email",
        "when an invoice is paid in stripe send the customer a thank you email",
        "email a thank-you to customers when they pay an invoice on stripe",
    ],
)
def test_a_stripe_thank_you_is_written_with_the_invoice_fields(request_text: str) -> None:
    spec = drafted(request_text)
    [mail] = messages(spec)
    assert mail.subject == "Thank you for your payment"
    assert mail.body.startswith("Hi Dana, thank you for paying invoice ACME-0042 (49.00 USD).")
    assert mail.to == "the customer (dana@example.com)"
    assert "type:" not in mail.body and "created:" not in mail.body


@pytest.mark.parametrize(
    ("request_text", "channel"),
    [
        ("when someone fills our typeform, add them to mailchimp and notify #sales", "#sales"),
        ("when our contact form is submitted, post it to #leads", "#leads"),
        ("whenever a new form submission comes in, tell #team", "#team"),
    ],
)
def test_a_form_alert_reads_like_a_sentence(request_text: str, channel: str) -> None:
    spec = drafted(request_text)
    post = next(m for m in messages(spec) if m.kind == "slack")
    assert post.headline() == f"It will post in {channel}:"
    assert post.body == (
        "New form submission from Jane Doe (Doe Bakery, jane@example.com): "
        "Hi! Could you send me your pricing for a team of 10?"
    )


@pytest.mark.parametrize(
    "request_text",
    [
        "delete all contacts in hubspot that haven't opened an email in a year",
        "remove every contact in our crm who hasn't opened our newsletter in 6 months",
        "delete all contacts in hubspot who never clicked an email",
    ],
)
def test_an_email_named_in_a_condition_sends_nothing(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    actions = [s.get("action") for s in result.workflow["steps"]]
    assert "crm.delete_contacts" in actions or result.status == "refuse"
    assert not any(str(a).startswith("email.") for a in actions), actions
    assert result.approval_class == "C"


def test_a_deletion_is_named_for_what_it_deletes() -> None:
    spec = draft("delete all contacts in hubspot that haven't opened an email in a year").workflow
    assert spec is not None and spec["name"] == "Delete inactive HubSpot contacts"


def test_a_send_verb_still_sends_when_a_condition_names_an_email() -> None:
    spec = drafted("every monday email me the contacts who haven't opened our email in a month")
    assert any(s.get("action") == "email.send" for s in spec["steps"])


@pytest.mark.parametrize(
    ("request_text", "period"),
    [
        ("every other friday at 4pm email the team a summary of new hubspot deals", "14 days"),
        ("every two weeks on monday post a report of new deals to #sales", "14 days"),
        ("every friday at 4pm email the team a summary of new hubspot deals", "7 days"),
    ],
)
def test_a_report_covers_its_cadence_and_nothing_trails_it(request_text: str, period: str) -> None:
    spec = drafted(request_text)
    actions = [s.get("action") for s in spec["steps"]]
    report = next(s for s in spec["steps"] if s.get("action") == "report.build")
    assert report["inputs"]["period"] == period
    assert "crm.find_contacts" not in actions  # the deals report reads the CRM itself
    assert actions[-1] in ("email.send", "slack.post_message")
    assert f"the last {period}" in summary(spec)
    assert report["inputs"]["include"] == ["new_deals"]  # "new deals", not "deals closed"
    [mail] = messages(spec)
    assert "1 new deal, worth 2,500.00 in all: Rivera Plumbing" in mail.body


@pytest.mark.parametrize(
    "text",
    [
        "every 90 minutes check https://bramble.example/status and text me if it's down",
        "every hour check our website status and alert #ops if it is down",
        "when the status page changes, post in #ops",
    ],
)
def test_an_instruction_with_a_schedule_is_drafted_not_answered(text: str) -> None:
    assert classify(text).kind == "draft"


@pytest.mark.parametrize(
    "text", ["how are my workflows doing?", "show me the status", "what is our success rate"]
)
def test_questions_about_health_still_get_the_health_answer(text: str) -> None:
    assert classify(text).kind == "health"


@pytest.mark.parametrize(
    ("request_text", "trigger"),
    [
        (
            "every 90 minutes check https://bramble.example/status and text me if it's down",
            {"type": "interval", "seconds": 5400},
        ),
        (
            "every 2 hours check our client portal at portal.acme.test and text me if it is down",
            {"type": "schedule", "cron": "0 */2 * * *", "timezone": "UTC"},
        ),
        ("text me if https://shop.example.org goes down", {"type": "interval", "seconds": 300}),
    ],
)
def test_texting_me_when_a_site_is_down_is_a_monitor_that_says_texts_need_twilio(
    request_text: str, trigger: dict[str, Any]
) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.workflow is not None
    spec = result.workflow
    assert spec["trigger"] == trigger
    assert spec["steps"][0]["action"] == "http.request"
    assert spec["steps"][0].get("continue_on_error") is True
    card = draft_card(spec, result.approval_class, [])
    assert "Levqor can't send text messages (SMS) itself" in card
    assert "by email or in Slack" in card and '"email me"' in card
    assert "can't send text messages" in spec["description"]
    assert spec["name"].startswith("Uptime check of ")


def test_a_draft_without_texts_says_nothing_about_them() -> None:
    spec = drafted(
        "every 90 minutes check https://bramble.example/status and email me if it's down"
    )
    assert "text messages" not in draft_card(spec, "A", [])


def test_numbered_emails_after_a_form_are_a_drip_that_never_echoes_the_form() -> None:
    spec = drafted(
        "when someone books a trial class, send them mail #1 three days later and mail #2 "
        "four days after that"
    )
    waits = [s["wait"] for s in spec["steps"] if s.get("wait")]
    assert waits == ["3 days", "4 days"]  # day 3, then day 7
    assert not any(s["inputs"].get("channel") for s in spec["steps"])  # "#1" is no channel
    for message in messages(spec):
        assert "form submission" not in message.body.lower()
        assert message.body.startswith("Hi ")


def test_an_alert_about_a_feed_keeps_the_email_after_a_name_list() -> None:
    spec = drafted("when the trade news feeds mention our company name, email me right away")
    assert [s["action"] for s in spec["steps"]] == ["rss.new_items", "email.send"]


def test_a_password_expiry_reminder_reads_the_accounts_and_handles_no_password() -> None:
    result = draft("every morning email staff whose vpn password expires within 5 days to change")
    assert result.status == "draft" and result.workflow is not None
    actions = [s["action"] for s in result.workflow["steps"]]
    assert "credentials.rotate" not in actions
    assert actions[0] == "http.request" and "email.send" in actions


def test_an_email_address_that_changes_is_the_event_not_a_message_to_send() -> None:
    result = draft("when a member's email changes in the crm, update them in mailchimp too")
    assert result.workflow is not None
    actions = [s["action"] for s in result.workflow["steps"]]
    assert "email.send" not in actions and "http.request" in actions


def test_a_translation_asked_for_is_said_to_be_missing_not_dropped_silently() -> None:
    result = draft("translate incoming whatsapp messages into english and post them in #support")
    assert result.workflow is not None
    assert "no translation step" in result.workflow["description"]
    assert (
        "translation"
        not in (draft("post new whatsapp messages in #support").workflow or {})["description"]
    )


@pytest.mark.parametrize(
    ("request_text", "says"),
    [
        ("ping our discord when a stripe payment fails", "invoice payment fails"),
        ("tell our telegram group when someone books a demo", "New submission"),
        ("text me when a big order comes in", "New order"),
        ("telegram me when a new order comes in", "New order"),  # the app's name as the verb
    ],
)
def test_a_chat_or_text_to_our_team_says_what_happened(request_text: str, says: str) -> None:
    """Sent through Discord, Telegram or a text, a message to us is a notice of the event, like
    a Slack post; it is never a note to the customer ("Hi Ada, just following up…")."""
    [message] = messages(drafted(request_text))
    assert says in message.body
    assert "following up" not in message.body and '"Hi ' not in message.body


def test_a_text_to_the_customer_is_written_to_them() -> None:
    spec = drafted("when a new order comes in text the customer a thank you")
    [message] = messages(spec)
    assert '"Hi Jane, thank you' in message.body
    assert spec["trigger"]["event"] == "a new order comes in"  # the text is the act, not the event


@pytest.mark.parametrize(
    "request_text",
    [
        "when an order ships send the customer a mobile push notification",
        "every morning at 8 push a reminder to our app users about today's classes",
    ],
)
def test_a_push_notification_goes_through_a_push_service_not_email(request_text: str) -> None:
    spec = drafted(request_text)
    actions = [s["action"] for s in spec["steps"]]
    assert "email.send" not in actions
    [push] = [s for s in spec["steps"] if s["action"] == "http.request"]
    assert push["inputs"]["url"] == "https://api.push-service.example/v1/notifications"
    assert "Push Service (its web address is still to be filled in)" in summary(spec)


@pytest.mark.parametrize(
    ("request_text", "subject"),
    [
        ("every friday at 6pm email me a thank you note with subject Weekly wrap", "Weekly wrap"),
        ("every friday at 6pm email me a thank you note with the subject 'Weekly wrap'",
         "Weekly wrap"),
        ('when someone buys, email them a receipt titled "Your Corner Bakery order"',
         "Your Corner Bakery order"),
        ("every monday email me the sales numbers, subject: Sales this week", "Sales this week"),
    ],
)  # fmt: skip
def test_the_subject_asked_for_is_the_emails_subject(request_text: str, subject: str) -> None:
    spec = drafted(request_text)
    [email] = [s for s in spec["steps"] if s["action"] == "email.send"]
    assert email["inputs"]["subject"] == subject
    assert subject not in str(email["inputs"].get("text"))  # nor written into the message


def test_a_subject_word_alone_names_no_subject() -> None:
    spec = drafted("every monday email the subject teachers a reminder to submit grades")
    [email] = [s for s in spec["steps"] if s["action"] == "email.send"]
    assert "teachers" not in email["inputs"]["subject"]
