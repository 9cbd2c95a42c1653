"""The public pricing page and the signed-in billing page: prices, trial, usage, read-only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Subscription
from storage.types import utcnow
from tests.web.conftest import Web, screenshot, sign_up_client, sign_up_in_browser


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
    async with sessions() as session:
        subscription = (await session.exec(select(Subscription))).one()
        subscription.trial_ends_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    ended = await client.get("/billing")
    assert "This workspace is read-only" in ended.text and "Free trial:" not in ended.text
    await client.aclose()


async def test_billing_page_in_chromium(web: Web, page: Page, tmp_path: Path) -> None:
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/pricing")
    await expect(page.locator("[data-plan=agency] .price")).to_contain_text("£149")
    await screenshot(page, "pricing", tmp_path, full_page=True)
    await page.get_by_role("link", name="Billing").click()
    await expect(page.get_by_role("status").first).to_contain_text("7 days left")
    await expect(page.locator("[data-meter=runs]")).to_contain_text("0 of 5,000")
    await screenshot(page, "billing", tmp_path, full_page=True)
