"""The public pricing page and the signed-in billing page: prices, the trial on sign-up, usage,
limits with an upgrade prompt, and the whole journey through Checkout and the Portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.stripe_billing import billing_client, setup
from storage.config import Settings
from storage.models import Member, Role, Subscription
from storage.types import utcnow
from tests.conftest import make_settings
from tests.fakes.localstripe_server import LocalStripe
from tests.fakes.stripe_shim import StripeShim
from tests.web.conftest import Web, screenshot, sign_up_client, sign_up_in_browser

KEY, HOOK_SECRET = "sk_test_levqor_web", "whsec_levqor_web"


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


async def test_pricing_is_public_in_pounds_with_annual_prices_and_limits(web: Web) -> None:
    client = web.client()
    page = await client.get("/pricing")
    assert page.status_code == 200
    html = page.text
    for monthly in ("£9</strong>", "£29</strong>", "£59</strong>", "£149</strong>"):
        assert monthly in html
    # twelve months less 20%: £86.40, £278.40, £566.40, £1,430.40 a year
    for annual in ("£86.40 a year", "£278.40 a year", "£566.40 a year", "£1,430.40 a year"):
        assert annual in html
    assert "7-day free trial" in html and "Support: answer within 4 hours" in html
    assert "25 client workspaces" in html and "No exports" in html
    signup = await client.get("/signup")
    assert 'href="/pricing"' in signup.text
    await client.aclose()


async def test_sign_up_starts_a_seven_day_trial_shown_on_billing(
    web: Web, sessions: async_sessionmaker[AsyncSession]
) -> None:
    client = await sign_up_client(web)
    page = await client.get("/billing")
    assert page.status_code == 200
    assert "Free trial: 7 days left" in page.text and "<strong>Growth</strong>" in page.text
    assert "Runs this period: 0 of 5,000" in page.text
    assert "site-banner" not in (await client.get("/workflows")).text  # 7 days: no banner yet
    async with sessions() as session:
        subscription = (await session.exec(select(Subscription))).one()
        subscription.trial_ends_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    ended = await client.get("/billing")
    assert "This workspace is read-only" in ended.text and "Free trial:" not in ended.text
    elsewhere = (await client.get("/workflows")).text
    assert 'class="banner warn site-banner"' in elsewhere and "nothing runs" in elsewhere
    assert '<a href="/billing">Choose a plan</a>' in elsewhere
    await client.aclose()


async def test_trial_limit_checkout_portal_cancel_in_chromium(
    web: Web,
    page: Page,
    tmp_path: Path,
    stripe_fake: StripeShim,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with billing_client(web.settings) as client:
        await setup(client)
    stripe_fake.webhook_url = f"{web.url}/billing/stripe/webhook"
    web.settings.public_url = web.url  # Stripe sends the customer back here
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/pricing")
    await expect(page.locator("[data-plan=agency] .price")).to_contain_text("£149")
    await screenshot(page, "pricing", tmp_path, full_page=True)

    await page.get_by_role("link", name="Billing").click()
    await expect(page.get_by_role("status").first).to_contain_text("7 days left")
    await expect(page.locator("[data-meter=runs]")).to_contain_text("0 of 5,000")
    await screenshot(page, "billing-trial", tmp_path, full_page=True)

    async with sessions() as session:  # nine colleagues joined: the tenth seat is the last
        owner = (await session.exec(select(Member))).one()
        for n in range(9):
            session.add(Member(workspace_id=owner.workspace_id, name=f"P{n}", role=Role.viewer))
        await session.commit()
    await page.goto(f"{web.url}/team")
    await page.get_by_label("Email").fill("eleven@acme.example")
    await page.get_by_role("button", name="Create invite").click()
    await expect(page.get_by_role("heading", name="Plan limit reached")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("allows 10 team members")
    await page.get_by_role("link", name="Choose a plan").click()

    growth = page.locator("form[data-plan=growth]")
    await growth.get_by_label("£278.40 a year").check()
    await growth.get_by_role("button", name="Choose Growth").click()
    await expect(page.get_by_role("heading", name="Pay Levqor")).to_be_visible()
    await expect(page.locator("body")).to_contain_text("levqor_growth_annual")
    await page.get_by_role("button", name="Pay").click()
    await page.wait_for_url(f"{web.url}/billing?checkout=done")
    await stripe_fake.settle()  # localstripe's invoice and subscription events
    await page.reload()
    await expect(page.locator(".plan-now")).to_contain_text("Active")
    await expect(page.locator(".plan-now")).to_contain_text("billed yearly")
    await expect(page.locator("table.invoices")).to_contain_text("£278.40")
    await expect(page.locator("table.invoices")).to_contain_text("Paid")
    await screenshot(page, "billing", tmp_path, full_page=True)

    await page.get_by_role("button", name="Manage billing").click()
    await expect(page.get_by_role("heading", name="Manage your Levqor plan")).to_be_visible()
    await page.get_by_role("button", name="Cancel plan").click()
    await page.wait_for_url(f"{web.url}/billing")
    await expect(page.locator("main")).to_contain_text("Ends on")

    subs = (await stripe_fake.call("GET", "/v1/subscriptions"))["data"]
    assert len(subs) == 1 and subs[0]["cancel_at_period_end"] is True  # done in localstripe
    await stripe_fake.end(subs[0]["id"])  # the period is over
    await stripe_fake.settle()
    await page.reload()
    await expect(page.get_by_role("alert")).to_contain_text("read-only")


async def test_agency_client_overview_in_chromium(
    web: Web, page: Page, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await sign_up_in_browser(page, web, workspace="Northwind Agency")
    await page.goto(f"{web.url}/clients")
    await expect(page.locator("main")).to_contain_text(
        "Client workspaces come with the Agency plan"
    )
    async with sessions() as session:
        (await session.exec(select(Subscription))).one().plan = "agency"
        await session.commit()
    await page.reload()
    for name in ("Lee Bakery", "Harbour Dental"):
        await page.get_by_label("Client name").fill(name)
        await page.get_by_role("button", name="Add client").click()
        await expect(page.locator(".flash")).to_contain_text(f"Added {name}")
    rows = page.locator("tr[data-client]")
    await expect(rows).to_have_count(2)
    await expect(page.locator("tr[data-client=lee-bakery]")).to_contain_text("0 (0)")
    await screenshot(page, "clients", tmp_path, full_page=True)
    await page.get_by_role("button", name="Unlink Lee Bakery").click()
    await expect(rows).to_have_count(1)
