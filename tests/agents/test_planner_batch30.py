"""What batch30's requests and a new user's first tries showed the drafter missed, each checked
in other words than the labelled case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agents.planner import draft
from workflows.describe import summary
from workflows.samples import preview

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.status == "draft", result.question or result.reason
    assert result.workflow is not None
    return result.workflow


def _step(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in workflow["steps"] if s.get("action") == action)


def test_a_reminder_to_people_with_no_channel_is_an_email_to_each_of_them() -> None:
    """ "remind clients 2 days before their appointment" asked "What should it do?"."""
    workflow = _drafted("remind our patients 2 days before their appointment")
    email = _step(workflow, "email.send")
    assert email["for_each"] and email["inputs"]["to"].startswith("{{ item.")
    assert email["inputs"]["subject"] == "Your appointment is in 2 days"
    assert "your appointment is in 2 days" in email["inputs"]["text"]


def test_a_reminder_by_text_is_not_also_an_email() -> None:
    workflow = _drafted("remind tenants by sms 3 days before rent is due")
    assert not [s for s in workflow["steps"] if s.get("action") == "email.send"]


@pytest.mark.parametrize(
    ("request_text", "days"),
    [
        ("remind customers 3 days before their invoice is due", [3]),
        (
            "email clients a reminder a week before the invoice due date and again 2 days before",
            [7, 2],
        ),
        (
            "email customers about their stripe invoices 5 days before they are due, and on the "
            "due date",
            [5, 0],
        ),
    ],
)  # fmt: skip
def test_reminders_before_an_invoice_falls_due_list_only_those_invoices(
    request_text: str, days: list[int]
) -> None:
    """They listed every open invoice and sent one email to all their customers at once."""
    workflow = _drafted(request_text)
    assert workflow["trigger"]["cron"] == "0 9 * * *"
    listed = _step(workflow, "stripe.list_invoices")
    assert listed["inputs"]["due_in_days"] == days
    email = _step(workflow, "email.send")
    assert email["for_each"] == f"steps.{listed['id']}.invoices"
    assert email["inputs"]["to"] == "{{ item.customer_email }}"
    message = preview(workflow, now=NOW)[email["id"]]
    assert message.subject == f"Invoice ACME-0042 is due in {days[-1]} days" or days[-1] < 2
    assert "49.00 USD" in message.body and "https://invoice.stripe.com/i/sample" in message.body
    words = summary(workflow)
    assert "Stripe invoices due in" in words and "to its customer" in words


@pytest.mark.parametrize(
    ("request_text", "verb"),
    [
        ("deals with no activity for 30 days should be moved to closed lost", "move"),
        ("support tickets older than 90 days need to be archived every sunday", "archive"),
    ],
)
def test_an_act_said_in_the_passive_is_drafted(request_text: str, verb: str) -> None:
    """ "… should be moved to Closed Lost" asked "What should it do?"."""
    workflow = _drafted(request_text)
    assert workflow["trigger"]["type"] == "schedule"
    assert workflow["steps"]
    assert verb in summary(workflow).lower()


def test_an_event_said_in_the_passive_stays_the_event() -> None:
    workflow = _drafted("when a subscription is cancelled the user's files should be deleted")
    assert workflow["trigger"]["type"] == "webhook"
    assert workflow["trigger"]["event"] == "a subscription is cancelled"


def test_a_slack_channel_named_in_words_is_that_channel() -> None:
    """ "our ops slack channel" posted in #general."""
    workflow = _drafted("post to our ops slack channel when a new order comes in")
    assert _step(workflow, "slack.post_message")["inputs"]["channel"] == "#ops"


def test_errors_an_app_reports_are_its_event_and_nothing_is_fetched() -> None:
    """ "when the api throws 500 errors" was a manual workflow fetching api.example.com."""
    workflow = _drafted(
        "we want live alerts when the api throws 500 errors - post them in our backend slack "
        "channel"
    )
    assert workflow["trigger"] == {"type": "webhook", "event": "the api throws 500 errors"}
    assert [s["action"] for s in workflow["steps"]] == ["slack.post_message"]
    assert workflow["name"] == "Error alerts to Slack"


def test_contacts_gone_quiet_are_found_before_each_is_updated() -> None:
    """A scheduled update of "leads that haven't replied in 2 weeks" updated nobody."""
    workflow = _drafted(
        "every morning tag leads that haven't replied in 2 weeks as cold in the crm"
    )
    find = _step(workflow, "crm.find_contacts")
    assert find["inputs"] == {"inactive_for": "2 weeks"}
    update = _step(workflow, "crm.update_contact")
    assert update["for_each"] == f"steps.{find['id']}.contacts"
    assert update["inputs"]["email"] == "{{ item.email }}"
    assert "untouched for 2 weeks" in summary(workflow)


@pytest.mark.parametrize(
    "request_text",
    [
        "every 3rd thursday of the month at 4pm email me the board pack checklist",
        "every third thursday of each month at 4pm email me the board pack checklist",
    ],
)
def test_the_nth_weekday_of_the_month_is_not_every_nth_week(request_text: str) -> None:
    trigger = _drafted(request_text)["trigger"]
    assert trigger["cron"] == "0 16 * * 4" and trigger["only_on"] == "third_week"
    assert "week_interval" not in trigger


def test_a_health_path_kept_checked_is_an_uptime_check_not_a_slash_command() -> None:
    workflow = _drafted("keep pinging our api's /health and post in #oncall if it starts failing")
    assert workflow["trigger"]["type"] == "interval"
    assert workflow["steps"][0]["id"] == "check"
    command = draft("a /newtask command that adds a task to asana").workflow
    assert command is not None and command["trigger"]["command"] == "/newtask"


def test_waiting_for_no_one_to_approve_is_refused() -> None:
    result = draft(
        "when the linter passes a pull request merge it straight into main, no need to wait "
        "for anyone to approve it"
    )
    assert result.status == "refuse"


def test_a_key_kept_out_of_the_email_is_not_a_key_sent() -> None:
    """ "never put the key itself in the email" was refused as sending a key."""
    result = draft(
        "when a reseller signs up email them a link to the page where they can see their api "
        "key. never put the key itself in the email"
    )
    assert result.status != "refuse"
    assert draft("email each new reseller their api key").status == "refuse"


def test_hours_in_a_cart_are_a_time_not_an_amount() -> None:
    """ "for more than 4 hours" was "only if the submission's amount is over 4"."""
    workflow = _drafted(
        "email customers who left items in their basket for more than 6 hours without buying"
    )
    assert workflow["trigger"]["cron"] == "0 * * * *"
    assert not [s for s in workflow["steps"] if s.get("when")]
    amount = _drafted("post orders over $500 in #sales")
    assert "500" in str(_step(amount, "slack.post_message").get("when"))


@pytest.mark.parametrize(
    ("request_text", "actions"),
    [
        # "send the board the monthly numbers" is what the reminder says, not a report to build
        (
            "on the last friday of each month remind me in slack to send the board the monthly "
            "numbers",
            ["slack.post_message"],
        ),
        ("remind me every friday to chase the unpaid invoices", ["email.send"]),
        (
            "every monday post a reminder in #ops to export the weekly sales figures to the sheet",
            ["slack.post_message"],
        ),
    ],
)
def test_what_a_reminder_asks_people_to_do_is_not_a_step(
    request_text: str, actions: list[str]
) -> None:
    workflow = _drafted(request_text)
    assert [s["action"] for s in workflow["steps"]] == actions


def test_a_reminder_to_staff_by_role_is_an_email_to_the_team() -> None:
    workflow = _drafted("every friday at 3 remind the department heads to approve overtime")
    email = _step(workflow, "email.send")
    assert email["inputs"]["to"] == ["member:team"]
    assert email["inputs"]["subject"] == "Reminder: approve overtime"


def test_a_reminder_sent_to_people_is_about_their_date_not_them() -> None:
    """ "send a reminder to the clients 2 days before …" was titled "Reminder: the clients 2
    days"."""
    workflow = _drafted("send a reminder to the clients 2 days before their booking")
    email = _step(workflow, "email.send")
    assert email["inputs"]["subject"] == "Your booking is in 2 days"
    assert workflow["steps"][0]["name"].startswith("Read the clients")


def test_a_day_named_as_a_deadline_is_not_a_day_it_runs() -> None:
    trigger = _drafted(
        "email each volunteer their rota sunday morning at 7, the badges come by end of tuesday"
    )["trigger"]
    assert trigger["cron"] == "0 7 * * 0"


def test_on_the_day_of_each_record_is_a_daily_look_at_that_time() -> None:
    """ "on the morning of their pickup day at 8" was each order's event, with no time."""
    workflow = _drafted("on the morning of their delivery day at 7 email each customer a heads up")
    assert workflow["trigger"]["cron"] == "0 7 * * *"
    email = _step(workflow, "email.send")
    assert email["inputs"]["subject"] == "Your delivery day is today"


def test_replies_to_one_of_our_emails_are_mail_arriving() -> None:
    workflow = _drafted(
        "when a customer replies to one of our order update emails forward it to support@acme.io"
    )
    assert workflow["trigger"]["type"] == "email"


def test_reviews_asked_to_be_watched_are_looked_at_even_when_a_new_one_comes_in() -> None:
    workflow = _drafted(
        "monitor our trustpilot and g2 reviews, when a new one comes in post it in #cx"
    )
    assert workflow["trigger"]["type"] == "poll"


def test_a_passive_tag_keeps_the_tag() -> None:
    workflow = _drafted("contacts idle for 3 weeks should get tagged stale in our crm")
    assert _step(workflow, "crm.update_contact")["inputs"]["stage"] == "stale"


@pytest.mark.parametrize(
    "request_text",
    [
        # money taken: "charge it" was dropped, leaving a harmless class A read
        "every morning look for invoices due today in xero and if the client has a card on file "
        "in stripe charge it",
        # a send to every member, counted
        "when we post an announcement email it to all ~250 members of the club",
    ],
)
def test_money_taken_and_sends_to_everyone_are_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.approval_class == "C" and result.status in ("draft", "refuse")


def test_leads_from_a_lead_database_are_bought_addresses() -> None:
    result = draft(
        "pull 500 marketing managers from a b2b contact database and send them our cold "
        "email sequence"
    )
    assert result.status == "refuse"


@pytest.mark.parametrize(
    "request_text",
    [
        "emails in our support inbox with #urgent in the subject -> create a trello card",
        "new posts on our blog's feed go into the #announcements channel on our discord",
    ],
)
def test_a_hashtag_that_is_no_slack_channel_posts_nothing_in_slack(request_text: str) -> None:
    workflow = _drafted(request_text)
    assert not [s for s in workflow["steps"] if s["action"] == "slack.post_message"]


def test_the_address_to_report_to_is_no_report() -> None:
    workflow = _drafted(
        "when a volunteer signs up for a shift email them the time and where to report to"
    )
    assert [s["action"] for s in workflow["steps"]] == ["email.send"]


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("weekday mornings at 7:45 email me the stock counts", "45 7 * * 1-5"),
        ("weekday evenings at 6 post the day's orders in #ops", "0 18 * * 1-5"),
        ("every weekday morning at 8 post the standup prompt in #team", "0 8 * * 1-5"),
    ],
)
def test_weekday_mornings_are_weekdays(request_text: str, cron: str) -> None:
    """ "weekday mornings at 8:30" ran every day."""
    assert _drafted(request_text)["trigger"]["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("our board meets every tuesday at 10, remind me the day before at 4pm", "0 16 * * 1"),
        ("bins go out every monday - email the caretaker the evening before at 7pm", "0 19 * * 0"),
        # before each record's own date: a daily look, not the day before a weekday
        ("email patients the day before their appointment", "0 9 * * *"),
    ],
)
def test_the_day_before_a_weekday_runs_that_day_at_its_own_time(
    request_text: str, cron: str
) -> None:
    assert _drafted(request_text)["trigger"]["cron"] == cron


def test_contacts_gone_quiet_marked_are_updated_not_added() -> None:
    """ "mark contacts with no activity for 3 months as dormant" added the person in the
    incoming data (nobody, on a clock) as a contact."""
    workflow = draft("every monday mark contacts with no activity for 3 months as dormant").workflow
    assert workflow is not None
    assert [s["action"] for s in workflow["steps"]] == ["crm.find_contacts", "crm.update_contact"]
    assert workflow["steps"][1]["inputs"] == {"email": "{{ item.email }}", "stage": "dormant"}
