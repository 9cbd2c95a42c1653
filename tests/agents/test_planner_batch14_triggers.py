"""What starts a workflow (batch14 round), in wording written for these tests: a named mailbox
mail lands in, how long a state has lasted or an SLA breach (looked at hourly), a subscription
billed by another provider, and "anyone who buys …" as the event."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    "request_text",
    [
        "when a bounce report lands in the postmaster mailbox, forward it to #deliverability",
        "anything that arrives in our billing_queries mailbox should get a reply saying we got it",
    ],
)
def test_mail_landing_in_a_named_mailbox_is_an_email_trigger(request_text: str) -> None:
    assert drafted_trigger(request_text)["type"] == "email"


@pytest.mark.parametrize(
    "request_text",
    [
        "if an order has been stuck in pending for 6 hours post it in #fulfilment",
        "when a customer's card has been declining for 12 hours pause their subscription in stripe",
        "tickets with no agent reply after 2 hours should be posted in #support-leads",
        "if a freshdesk ticket breaches its resolution SLA email the team lead",
    ],
)
def test_how_long_a_state_lasted_is_looked_at_hourly(request_text: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 * * * *"


@pytest.mark.parametrize(
    "request_text",
    [
        "when someone cancels their recharge subscription send them a goodbye email",
        "new memberful subscription -> post the member's name in #community",
    ],
)
def test_a_subscription_billed_by_another_provider_is_not_stripe(request_text: str) -> None:
    assert drafted_trigger(request_text)["type"] == "webhook"


@pytest.mark.parametrize(
    "request_text",
    [
        "anyone who buys a gift card should get added to our mailchimp audience",
        "customers who check out with a coupon should get a thank-you email",
    ],
)
def test_anyone_who_does_something_is_the_event(request_text: str) -> None:
    assert drafted_trigger(request_text)["type"] == "webhook"
