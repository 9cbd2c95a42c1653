"""Risky acts read by verb class x object class, not by listed sentences (risk_cues)."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.risk_cues import (
    mails_unowned_addresses,
    moves_money,
    sends_in_bulk,
    ships_personal_data,
    skips_checks,
    spends,
)
from agents.planner.text import normalise


@pytest.mark.parametrize(
    "request_text",
    [
        "debit a £12 admin fee from each member on the 3rd",
        "top up every driver's fuel card with $50 on mondays",
        "when a booking is cancelled late, charge a 20 euro penalty to their saved card",
        "reimburse the approved expenses from the claims sheet every friday",
        "start charging the annual renewal to clients whose contract rolls over",
    ],
)
def test_a_money_verb_on_money_moves_money(request_text: str) -> None:
    assert moves_money(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "post failed payments and refunds from stripe in #billing every morning",
        "when a customer is refunded, tell #support",
        "send our paying customers the product update newsletter",
        "summarise yesterday's stripe charges and fees for #finance",
        "when someone pays an invoice, thank them by email",
        "have AI sort mail into refund / invoice question / other and post refunds in #finance",
    ],
)
def test_money_named_as_a_thing_or_an_event_is_not_an_act(request_text: str) -> None:
    assert not moves_money(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "forward every new lead's name, phone and address to our marketing agency",
        "each night upload the customer database to the vendor's sftp at https://files.acme.io",
        "push all subscribers' emails to the affiliate partner's endpoint",
        "email the full client list with their phone numbers to my gmail",
    ],
)
def test_personal_details_to_an_outside_party_are_shipped_data(request_text: str) -> None:
    assert ships_personal_data(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "email new leads' names and phones to sales@ourcompany.com",
        "people who email partners@ should be added to the crm with their name and phone",
        "post the weekly signup count to our partner channel",
    ],
)
def test_details_kept_inside_or_figures_only_are_not_shipped(request_text: str) -> None:
    assert not ships_personal_data(normalise(request_text))


@pytest.mark.parametrize(
    ("request_text", "unowned"),
    [
        ("get the emails of the authors on these blogs' web pages and mail them our pitch", True),
        ("we purchased 2,000 plumber addresses, send them our spring promo", True),
        ("look up contact details on linkedin profiles and email them a demo invite", True),
        ("find hubspot contacts who went quiet and email them a check-in", False),
        ("email the customers who bought twice last month a thank-you", False),
    ],
)
def test_addresses_the_business_did_not_collect(request_text: str, unowned: bool) -> None:
    assert mails_unowned_addresses(normalise(request_text)) is unowned


def test_negated_checks_are_read() -> None:
    assert skips_checks(normalise("delete the stale deals, no need to check with me"))
    assert skips_checks(normalise("refund them without me looking at it"))
    assert not skips_checks(normalise("check with me before you refund anyone"))


@pytest.mark.parametrize(
    "request_text",
    [
        "debit a £12 admin fee from each member on the 3rd",
        "forward every new lead's name, phone and address to our marketing agency",
        "we purchased 2,000 plumber addresses, send them our spring promo",
        "archive and then erase closed tickets in zendesk without asking anyone",
    ],
)
def test_the_planner_refuses_or_drafts_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse" or result.approval_class == "C", result
    if result.status == "refuse":
        assert result.reason and "{" not in result.reason


def test_a_harmless_money_report_is_still_drafted() -> None:
    result = draft("every monday 9am post last week's stripe refunds and fees in #finance")
    assert result.status == "draft", result
    assert result.approval_class == "A"


@pytest.mark.parametrize(
    "request_text",
    [
        "send a bulk sms to all customers about the weekend sale",
        "i need to send an email to all our users about saturday's maintenance",
        "push every user in our database into our outreach sequence",
        "whatsapp everyone in the contacts list about the new opening hours",
    ],
)
def test_messages_to_everyone_on_a_list_are_bulk(request_text: str) -> None:
    assert sends_in_bulk(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "email all customers who haven't paid their invoice",
        "send every new customer a welcome email",
        "email each client that has an overdue invoice",
        "post all the new leads in #sales",
    ],
)
def test_messages_to_the_ones_a_condition_picks_are_not_bulk(request_text: str) -> None:
    assert not sends_in_bulk(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday at 9 buy $200 of bitcoin from the company wallet",
        "on the 1st approve the hosting bill and pay it out automatically",
        "when stock runs low send the purchase orders to suppliers",
    ],
)
def test_buying_paying_out_and_purchase_orders_spend(request_text: str) -> None:
    assert spends(normalise(request_text))


def test_customers_who_buy_for_an_amount_are_an_event_not_spending() -> None:
    assert not spends(normalise("thank customers who buy $100 or more with a coupon"))


@pytest.mark.parametrize(
    "request_text",
    [
        "send the purchase orders to suppliers right away - don't run them past me",
        "pay the approved claims straight away. no human review, we're too slow",
        "pay the hosting bill on the 1st, I don't want the admins to have to approve it again",
        "wipe their data right away - no admin vetting step",
    ],
)
def test_more_ways_of_saying_nobody_checks(request_text: str) -> None:
    assert skips_checks(normalise(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "send a bulk sms to all customers about the weekend sale",
        "every monday at 9 buy $200 of ETH from the company wallet on uniswap",
        "when the AI thinks a subscriber is about to churn, give them 50% off the next 3 months",
        "when an order is cancelled in magento refund the adyen payment automatically",
        "email all our subscribers the new price list",
    ],
)
def test_bulk_spending_and_discounts_are_never_drafted_below_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse" or result.approval_class == "C", result


@pytest.mark.parametrize(
    "request_text",
    [
        "remove the manual approval step from our deploys",
        "nobody should have to click approve before a release goes out",
    ],
)
def test_taking_approval_away_is_refused(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse"
    assert result.reason is not None and "approval" in result.reason


def test_approved_things_are_not_skipping_approval() -> None:
    assert draft("post approved expense claims in #finance").status == "draft"
