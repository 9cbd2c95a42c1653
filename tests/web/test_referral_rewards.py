"""Referral rewards end to end against real localstripe (behind `tests/fakes/stripe_shim.py`): a
visit through the link, a sign-up, Checkout, localstripe's Stripe-signed payment events, and both
workspaces' balances in localstripe credited once; replaying the events (or the next month's
payment) credits nothing more, and that invoice is smaller by the credit; the growth panel shows
the reward."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.stripe_billing import billing_client, setup
from storage.config import Settings
from storage.models import ReferralEvent, Subscription, Workspace
from tests.conftest import make_settings
from tests.fakes.localstripe_server import LocalStripe
from tests.fakes.stripe_shim import StripeShim
from tests.web.conftest import PASSWORD, Web, csrf_of, page_csrf, sign_up_client

KEY, HOOK_SECRET = "sk_test_levqor_referrals", "whsec_levqor_referrals"
CREDIT = 1500


@pytest.fixture
async def stripe_fake(localstripe: LocalStripe) -> AsyncIterator[StripeShim]:
    async with StripeShim.running(localstripe, KEY, HOOK_SECRET) as shim:
        yield shim


@pytest.fixture
def settings(tmp_path: Path, database_url: str, stripe_fake: StripeShim) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        STRIPE_BILLING_SECRET_KEY=KEY,
        STRIPE_BILLING_WEBHOOK_SECRET=HOOK_SECRET,
        STRIPE_API_BASE=stripe_fake.url,
        LEVQOR_REFERRAL_CREDIT_PENCE=str(CREDIT),
    )


async def _figures(client: httpx.AsyncClient) -> dict[str, int]:
    html = (await client.get("/growth")).text
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)
    return {name: int(value) for name, value in pairs}


async def _customer_of(sessions: async_sessionmaker[AsyncSession], name: str) -> str | None:
    async with sessions() as session:
        workspace = (await session.exec(select(Workspace).where(Workspace.name == name))).one()
        query = select(Subscription).where(Subscription.workspace_id == workspace.id)
        return (await session.exec(query)).one().stripe_customer_id


async def test_a_paying_referral_credits_both_bills_once(
    web: Web, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with billing_client(web.settings) as client:
        await setup(client)
    stripe_fake.webhook_url = f"{web.url}/billing/stripe/webhook"
    web.settings.public_url = web.url

    referrer = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    growth = (await referrer.get("/growth")).text
    assert "you both get £15 off your Levqor bill" in growth
    link = re.search(r'id="ref-link" value="([^"]+)"', growth)
    assert link is not None

    referred = web.client()
    landed = await referred.get(link.group(1).removeprefix(web.url))
    assert landed.headers["location"] == "/signup"
    form = await referred.get("/signup")
    signed = await referred.post(
        "/signup",
        data={
            "csrf_token": csrf_of(form.text),
            "workspace": "Beta Co",
            "name": "Ben",
            "email": "ben@beta.example",
            "password": PASSWORD,
        },
    )
    assert signed.status_code == 303
    assert await _figures(referrer) == {
        "Clicks": 1, "Sign-ups": 1, "Paying referrals": 0, "Rewards": 0
    }  # fmt: skip

    # Beta Co chooses Growth and pays in Checkout: localstripe's signed events arrive.
    csrf = await page_csrf(referred, "/billing")
    to_stripe = await referred.post(
        "/billing/checkout", data={"csrf_token": csrf, "plan": "growth", "interval": "monthly"}
    )
    assert to_stripe.status_code == 303 and to_stripe.headers["location"].startswith(
        stripe_fake.url
    )
    session_id = to_stripe.headers["location"].rsplit("/", 1)[1]
    sub = await stripe_fake.complete_checkout(session_id)
    await stripe_fake.settle()
    assert "invoice.paid" in [e["type"] for e in stripe_fake.events]
    assert set(stripe_fake.answers) == {200}

    referrer_customer = await _customer_of(sessions, "Acme Ops")
    referred_customer = await _customer_of(sessions, "Beta Co")
    assert referrer_customer and referred_customer and referrer_customer != referred_customer
    assert await stripe_fake.balance(referrer_customer) == -CREDIT  # read from localstripe
    assert await stripe_fake.balance(referred_customer) == -CREDIT

    panel = await referrer.get("/growth")
    assert await _figures(referrer) == {
        "Clicks": 1, "Sign-ups": 1, "Paying referrals": 1, "Rewards": 1
    }  # fmt: skip
    assert "£15 credited to your Levqor bill so far" in panel.text
    their_panel = await referred.get("/growth")  # the referred workspace sees its own credit
    assert (await _figures(referred))["Rewards"] == 1
    assert "£15 credited to your Levqor bill so far" in their_panel.text

    # Stripe delivers every event again (a replay), then the next month's invoice is paid.
    for event in list(stripe_fake.events):
        assert (await stripe_fake.send(event)).status_code == 200
    renewal = await stripe_fake.renew(str(sub["id"]))
    await stripe_fake.settle()
    assert renewal["status"] == "paid" and renewal["amount_paid"] == 2900 - CREDIT  # credit used
    assert [e["type"] for e in stripe_fake.events].count("invoice.paid") == 2
    assert await stripe_fake.balance(referrer_customer) == -CREDIT
    assert await stripe_fake.balance(referred_customer) == -CREDIT
    assert (await _figures(referrer))["Rewards"] == 1
    async with sessions() as session:
        rows = (await session.exec(select(ReferralEvent.kind))).all()
    assert sorted(rows) == ["click", "paid", "reward", "reward", "signup"]
    await referrer.aclose()
    await referred.aclose()


async def test_a_workspace_nobody_referred_gets_no_credit(
    web: Web, stripe_fake: StripeShim
) -> None:
    async with billing_client(web.settings) as client:
        await setup(client)
    stripe_fake.webhook_url = f"{web.url}/billing/stripe/webhook"
    owner = await sign_up_client(web, email="cara@gamma.example", workspace="Gamma Ltd")
    csrf = await page_csrf(owner, "/billing")
    to_stripe = await owner.post(
        "/billing/checkout", data={"csrf_token": csrf, "plan": "launch", "interval": "monthly"}
    )
    await stripe_fake.complete_checkout(to_stripe.headers["location"].rsplit("/", 1)[1])
    await stripe_fake.settle()
    assert "invoice.paid" in [e["type"] for e in stripe_fake.events]
    customers = (await stripe_fake.call("GET", "/v1/customers"))["data"]
    assert len(customers) == 1 and await stripe_fake.balance(customers[0]["id"]) == 0
    await owner.aclose()
