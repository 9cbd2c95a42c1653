"""What batch28's requests (weighted to schedules and per-record dates) showed the drafter
missed, in other words."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from workflows.schedule_words import describe_schedule


def _trigger(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.workflow is not None, result.model_dump()
    return dict(result.workflow["trigger"])


def test_a_spelled_out_range_of_days_is_a_routine_without_a_time() -> None:
    """ "monday to friday" said alone was no schedule at all (a manual workflow)."""
    trigger = _trigger("share the daily sales tip in #floor monday through friday")
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * 1-5"


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("post the backlog count in #eng once a month instead of every week", "0 9 1 * *"),
        ("email me the stock report at 4pm rather than 10am every day", "0 16 * * *"),
        ("send the digest on thursday instead of friday at 10", "0 10 * * 4"),
    ],
)
def test_the_time_a_request_replaces_is_not_when_it_runs(request_text: str, cron: str) -> None:
    assert _trigger(request_text)["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "cron", "words"),
    [
        (
            "refresh the price cache every hour except between 8am and 6pm and post the result "
            "in #ops",
            "0 0-7,18-23 * * *",
            "every hour from 00:00 to 07:00 and from 18:00 to 23:00",
        ),
        (
            "every 20 minutes except between 11pm and 7am post the queue length in #ops",
            "*/20 7-22 * * *",
            "every 20 minutes from 07:00 to 22:40",
        ),
    ],
)
def test_a_repeat_that_skips_hours_runs_only_outside_them(
    request_text: str, cron: str, words: str
) -> None:
    trigger = _trigger(request_text)
    assert trigger["cron"] == cron
    assert describe_schedule(trigger).startswith(words)


@pytest.mark.parametrize(
    "request_text",
    [
        "when a deal hasn't moved in 3 weeks, slack the owner",
        "tickets that have been stuck in waiting on customer for over 10 days: email the agent",
        "email me when any of our domains is 14 days or less from expiring",
        "6 weeks in advance of each lease renewal, email the tenant the new terms",
        "email each member a set number of days before their membership renews",
        "email subscribers a week before each trial ends with the upgrade options",
        "when a customer has 5 days left in their trial send them the pricing page",
    ],
)
def test_each_records_own_date_is_looked_at_daily(request_text: str) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * *", trigger


def test_hours_before_a_trial_end_are_looked_at_hourly_and_three_days_is_stripes() -> None:
    assert _trigger("48 hours before a trial ends email them a last reminder")["cron"] == (
        "0 * * * *"
    )
    assert _trigger("3 days before a trial ends email them how to upgrade")["type"] == "stripe"


@pytest.mark.parametrize(
    "request_text",
    [
        "when stripe confirms a payment, email the buyer their receipt and log it in airtable",
        "every time stripe records a new payment post the amount in #sales",
    ],
)
def test_a_payment_said_by_what_stripe_does_is_stripes_event(request_text: str) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "stripe" and trigger["events"] == ["payment_intent.succeeded"]


def test_a_ticket_raised_with_no_helpdesk_named_is_made_in_the_helpdesk() -> None:
    """ "raise a support ticket from that message" drafted only a Slack post: the ticket was
    never made. It is now a write to the helpdesk, at an address to fill in."""
    result = draft(
        "when someone reacts with the :ticket: emoji in #help, raise a support ticket from it"
    )
    assert result.workflow is not None
    made = [s for s in result.workflow["steps"] if s["action"] == "http.request"]
    assert made and made[0]["inputs"]["method"] == "POST"
    assert "helpdesk" in made[0]["inputs"]["url"]
