"""Levqor's own Stripe billing through the real SDK against real localstripe on loopback (behind
the thin shim in `tests/fakes/stripe_shim.py` for Prices, Checkout and the Portal): setup is
idempotent, Checkout and Portal links, Stripe-signed events deduplicated and correct in any
order, forged events refused, dunning with a grace period, cancel → read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.stripe_billing import billing_client, setup
from accounts.subscriptions import status_at
from bot.app import create_app
from storage.config import Settings
from storage.models import BillingEvent, Role, Subscription, Workspace
from storage.types import utcnow
from tests.bot.api.test_billing_limits import HELLO, active_workflow, on_plan
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.localstripe_server import LocalStripe
from tests.fakes.stripe_shim import StripeShim

KEY, HOOK_SECRET = "sk_test_levqor_billing", "whsec_levqor_test"


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
    )


@pytest.fixture
async def billed(
    live: Live,
    settings: Settings,
    stripe_fake: StripeShim,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> Live:
    """Plans set up in the fake, the workspace on its trial, events going to Levqor."""
    async with billing_client(settings) as client:
        await setup(client)
    stripe_fake.webhook_url = f"{live.url}/billing/stripe/webhook"
    await on_plan(sessions, workspace, "growth")
    return live


async def subscription(sessions: async_sessionmaker[AsyncSession]) -> Subscription:
    async with sessions() as session:
        return (await session.exec(select(Subscription))).one()


async def pay_for(live: Live, stripe_fake: StripeShim, plan: str, interval: str) -> str:
    """Checkout through the API, then the customer pays; returns the Stripe subscription id."""
    link = await live.as_(Role.owner).post(
        "/api/billing/checkout", json={"plan": plan, "interval": interval}
    )
    assert link.status_code == 200, link.text
    session_id = link.json()["url"].rsplit("/", 1)[1]
    assert link.json()["url"].startswith(stripe_fake.url)
    sub = await stripe_fake.complete_checkout(session_id)
    await stripe_fake.settle()  # localstripe's own events (subscription created, invoice paid)
    return str(sub["id"])


async def _stripe_ids(shim: StripeShim) -> set[str]:
    """Every product and plan (price) localstripe holds."""
    products = (await shim.call("GET", "/v1/products?limit=100"))["data"]
    plans = (await shim.call("GET", "/v1/plans?limit=100"))["data"]
    return {row["id"] for row in [*products, *plans]}


async def test_setup_twice_creates_nothing_new(settings: Settings, stripe_fake: StripeShim) -> None:
    async with billing_client(settings) as client:
        first = await setup(client)
        made = await _stripe_ids(stripe_fake)
        second = await setup(client)
    assert len(first.created) == 12 and first.found == []  # 4 products, 8 prices
    assert second.created == [] and len(second.found) == 12
    assert await _stripe_ids(stripe_fake) == made and len(made) == 12  # read from localstripe
    prices = {p["lookup_key"]: p for p in await stripe_fake.prices()}
    assert prices["levqor_growth_annual"]["unit_amount"] == 27840
    assert prices["levqor_agency_monthly"]["recurring"]["interval"] == "month"
    assert prices["levqor_scale_annual"]["product"] == "levqor_scale"
    assert {p["currency"] for p in prices.values()} == {"gbp"}


async def test_checkout_makes_the_workspace_active_on_the_plan_paid_for(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    refused = await billed.as_(Role.admin).post("/api/billing/checkout", json={"plan": "scale"})
    assert refused.status_code == 403
    await pay_for(billed, stripe_fake, "scale", "annual")
    body = (await billed.as_().get("/api/billing")).json()
    assert body["status"] == "active" and body["plan"] == "scale" and body["interval"] == "annual"
    assert body["trial_ends_at"] is None and body["limits"]["runs"] == 25_000
    row = await subscription(sessions)
    assert row.period_end is not None
    assert row.period_end - row.period_start in (timedelta(days=365), timedelta(days=366))
    twice = await billed.as_(Role.owner).post("/api/billing/checkout", json={"plan": "launch"})
    assert twice.status_code == 409 and "Manage billing" in twice.json()["error"]["message"]
    portal = await billed.as_(Role.owner).post("/api/billing/portal")
    assert portal.status_code == 200 and portal.json()["url"].startswith(
        f"{stripe_fake.url}/portal/"
    )


async def test_duplicate_and_out_of_order_events_leave_one_correct_state(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stripe_fake.deliver = False  # Stripe sends late, twice, in any order: we replay that
    sub_id = await pay_for(billed, stripe_fake, "growth", "monthly")
    invoice_id = await stripe_fake.fail_payment(sub_id)
    await stripe_fake.settle()
    await stripe_fake.pay(sub_id, invoice_id)
    await stripe_fake.settle()
    events = list(stripe_fake.events)
    kinds = [e["type"] for e in events]
    assert kinds.count("invoice.paid") == 2 and kinds.count("invoice.payment_failed") == 1
    assert {"checkout.session.completed", "customer.subscription.created"} <= set(kinds)
    for event in [*reversed(events), *events]:
        answer = await stripe_fake.send(event)
        assert answer.status_code == 200, answer.text
    row = await subscription(sessions)
    assert row.status == "active" and row.plan == "growth" and row.grace_ends_at is None
    assert row.stripe_subscription_id == sub_id
    async with sessions() as session:
        taken = (await session.exec(select(BillingEvent))).all()
    assert sorted(e.event_id for e in taken) == sorted(e["id"] for e in events)


async def test_a_forged_or_wrongly_signed_event_changes_nothing(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stripe_fake.deliver = False
    sub_id = await pay_for(billed, stripe_fake, "launch", "monthly")
    sub = await stripe_fake.call("GET", f"/v1/subscriptions/{sub_id}")
    canceled: dict[str, Any] = {**sub, "status": "canceled"}
    forged = {
        "id": "evt_forged",
        "type": "customer.subscription.deleted",
        "created": 9_999_999_999,
        "data": {"object": canceled},
    }
    wrong = await stripe_fake.send(forged, secret="whsec_someone_else")
    assert wrong.status_code == 401
    unsigned = await billed.as_().post(
        "/billing/stripe/webhook", json=forged, headers={"stripe-signature": "t=1,v1=00"}
    )
    assert unsigned.status_code == 401
    row = await subscription(sessions)
    assert row.status == "trialing" and row.stripe_subscription_id is None
    async with sessions() as session:
        assert (await session.exec(select(BillingEvent))).all() == []


async def test_failed_payment_gives_a_grace_period_then_read_only_and_paying_restores(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    flow = await active_workflow(billed, HELLO)
    sub_id = await pay_for(billed, stripe_fake, "growth", "monthly")
    invoice_id = await stripe_fake.fail_payment(sub_id)
    await stripe_fake.settle()
    row = await subscription(sessions)
    assert row.status == "past_due" and row.grace_ends_at is not None
    assert status_at(row, utcnow() + timedelta(days=6)) == "past_due"
    assert status_at(row, utcnow() + timedelta(days=8)) == "read_only"
    async with sessions() as session:  # the grace period is spent
        spent = (await session.exec(select(Subscription))).one()
        spent.grace_ends_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    run = await billed.as_(Role.operator).post(f"/api/workflows/{flow['id']}/run")
    assert run.status_code == 402 and run.json()["error"]["code"] == "read_only"
    await stripe_fake.pay(sub_id, invoice_id)
    await stripe_fake.settle()
    assert (await billed.as_().get("/api/billing")).json()["status"] == "active"
    again = await billed.as_(Role.operator).post(f"/api/workflows/{flow['id']}/run")
    assert again.status_code == 202, again.text


async def test_change_plan_and_cancel_in_the_portal_then_period_end_makes_it_read_only(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    flow = await active_workflow(billed, HELLO)
    sub_id = await pay_for(billed, stripe_fake, "growth", "monthly")
    portal = (await billed.as_(Role.owner).post("/api/billing/portal")).json()["url"]
    async with httpx.AsyncClient(timeout=30) as browser:  # the customer clicks in the Portal
        assert "Now: levqor_growth_monthly" in (await browser.get(portal)).text
        scale = (await stripe_fake.prices(["levqor_scale_monthly"]))[0]["id"]
        switched = await browser.post(portal, data={"price": scale})
        assert switched.headers["location"].endswith("/billing")
        body = (await billed.as_().get("/api/billing")).json()
        assert body["status"] == "active" and body["plan"] == "scale"
        assert body["cancel_at_period_end"] is False
        await browser.post(portal, data={"action": "cancel"})
    body = (await billed.as_().get("/api/billing")).json()
    assert body["status"] == "active" and body["cancel_at_period_end"] is True
    sub = await stripe_fake.call("GET", f"/v1/subscriptions/{sub_id}")  # localstripe agrees
    assert sub["cancel_at_period_end"] is True and sub["plan"]["id"] == scale
    await stripe_fake.end(sub_id)
    await stripe_fake.settle()
    body = (await billed.as_().get("/api/billing")).json()
    assert body["status"] == "canceled"
    wf = (await billed.as_().get(f"/api/workflows/{flow['id']}")).json()
    assert wf["status"] == "paused"  # data kept, nothing runs
    run = await billed.as_(Role.operator).post("/api/workflows", json={"spec": HELLO})
    assert run.status_code == 402 and run.json()["error"]["code"] == "read_only"


async def test_trial_will_end_is_taken_and_changes_nothing(
    billed: Live, stripe_fake: StripeShim, sessions: async_sessionmaker[AsyncSession]
) -> None:
    sub_id = await pay_for(billed, stripe_fake, "launch", "monthly")
    before = await subscription(sessions)
    sub = await stripe_fake.call("GET", f"/v1/subscriptions/{sub_id}")
    event = await stripe_fake.emit("customer.subscription.trial_will_end", sub)  # not localstripe's
    assert stripe_fake.answers[-1] == 200
    after = await subscription(sessions)
    assert (after.status, after.plan, after.period_end) == (
        before.status,
        before.plan,
        before.period_end,
    )
    async with sessions() as session:
        taken = await session.get(BillingEvent, event["id"])
    assert taken is not None and taken.type == "customer.subscription.trial_will_end"


def test_billing_refuses_to_start_without_its_webhook_secret(tmp_path: Path) -> None:
    half = make_settings(tmp_path, STRIPE_BILLING_SECRET_KEY=KEY)
    with pytest.raises(ValueError, match="STRIPE_BILLING_WEBHOOK_SECRET"):
        create_app(half)
