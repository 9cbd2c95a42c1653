"""What batch18's requests and trying the chat showed the drafter missed, in other words."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.slots import channel_in_words


@pytest.mark.parametrize(
    "request_text",
    [
        "look up every dental clinic site in ohio, grab the email addresses that are on them and "
        "send them our cold intro",
        "pull the hiring managers' emails out of each glassdoor listing and email each of them "
        "our recruiting pitch",
        "copy the phone numbers of everyone listed on our rival's team page into pipedrive so "
        "we can cold call them",
    ],
)
def test_contacts_gathered_from_pages_we_do_not_own_are_not_contacted_cold(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status == "refuse", result
    assert result.reason is not None and "never gave them to you" in result.reason


@pytest.mark.parametrize(
    "request_text",
    [
        "get the emails of everyone who booked from calendly and add them to the onboarding "
        "sequence",
        "find the phone numbers on our own booking page and text them a reminder",
    ],
)
def test_our_own_sign_ups_are_not_gathered_contacts(request_text: str) -> None:
    result = draft(request_text)
    assert result.status != "refuse" or "never gave them" not in (result.reason or ""), result


def test_testimonials_under_invented_names_are_refused() -> None:
    result = draft("generate 12 client testimonials with fictional names and post them on our site")
    assert result.status == "refuse" and "fake reviews" in (result.reason or "")


@pytest.mark.parametrize(
    "request_text",
    [
        "sms our sale to the whole list and rotate through different sender numbers so the "
        "carriers don't flag it",
        "blast the newsletter and get past the spam filters by cycling from addresses",
    ],
)
def test_sending_built_to_slip_past_filters_is_refused(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse" and "spam filters" in (result.reason or ""), result


def test_putting_it_through_approval_cannot_be_skipped_in_other_words() -> None:
    result = draft(
        "when a vendor is approved in the sheet, create them in xero. don't run this "
        "workflow through approval, just switch it on"
    )
    assert result.status == "refuse" and "approval" in (result.reason or "")


def test_a_channel_named_in_words_is_that_channel() -> None:
    assert channel_in_words("drop it in the night shift leads channel") == (
        "drop it in #night-shift-leads"
    )
    assert channel_in_words("tell the right channel") == "tell the right channel"
    assert channel_in_words("post to our slack channel") == "post to our slack channel"
    result = draft("every day at 7am post the bed count report in the ward managers channel")
    assert result.status == "draft" and result.workflow is not None
    posts = [s for s in result.workflow["steps"] if s["action"] == "slack.post_message"]
    assert posts and posts[0]["inputs"]["channel"] == "#ward-managers"


def test_a_ticket_that_mentions_an_outage_is_the_ticket_event_not_an_uptime_check() -> None:
    result = draft(
        "whenever a helpdesk ticket mentions downtime or a refund, post it in #escalations"
    )
    assert result.workflow is not None and result.workflow["trigger"]["type"] == "webhook"
    assert not any(s["action"] == "http.request" for s in result.workflow["steps"])


def test_rent_the_noun_is_no_rented_mailing_list() -> None:
    # tried as a new user: a letting agent's "rent app" was refused as a rented address list
    kept = draft("when a tenant moves out, look them up in our rent app and email them a receipt")
    assert kept.status == "draft", kept
    refused = draft("rent an email list of local cafes and send each one our promo")
    assert refused.status == "refuse" and "bought" in (refused.reason or "")


@pytest.mark.parametrize(
    "request_text",
    [
        "nudge tenants by email at 2, 5 and 9 days late on rent",
        "text clients at 3 and 10 days overdue",
    ],
)
def test_days_late_are_counted_not_read_as_clock_times(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * *", trigger


def test_an_nth_weekday_keeps_its_week_when_months_are_skipped() -> None:
    result = draft(
        "every 3 months on the first wednesday at 10 email finance@acme.com the audit log"
    )
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger["cron"] == "0 10 * */3 3" and trigger["only_on"] == "first_week", trigger
    weekly = draft("every week on the first monday email me the sales numbers")
    assert weekly.workflow is not None and "only_on" not in weekly.workflow["trigger"]
