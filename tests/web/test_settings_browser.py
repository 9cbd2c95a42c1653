"""In Chromium: a solo owner sets the timezone and a key on Settings, then follows the bell."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.web.conftest import Web, screenshot, sign_up_in_browser
from tests.web.test_health_page import FAIL_SPEC, new_workflow, run_now, workspace_of
from tests.web.test_notifications import OUTREACH


async def test_settings_and_the_bell_in_the_browser(page: Page, web: Web, tmp_path: Path) -> None:
    await sign_up_in_browser(page, web)
    await page.get_by_role("link", name="Settings").click()
    await expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    await page.get_by_label("Timezone").fill("Europe/Berlin")
    await page.get_by_label("Also post in this Slack channel (optional)").fill("#ops-alerts")
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_text("Saved the workspace's settings.")).to_be_visible()
    await expect(page.get_by_label("Timezone")).to_have_value("Europe/Berlin")
    await page.get_by_label("Key name").fill("Zapier")
    await page.get_by_role("button", name="Create key").click()
    await expect(page.get_by_text("Copy it now: it is never shown again.")).to_be_visible()
    await expect(page.locator("#new-key")).to_have_value(re.compile(r"^lq_"))
    await screenshot(page, "settings", tmp_path, full_page=True)

    workspace_id = await workspace_of(web, "olivia@acme.example")
    broken = await new_workflow(web, workspace_id, FAIL_SPEC)
    await run_now(web, broken)
    await web.runtime.drain()
    await new_workflow(web, workspace_id, OUTREACH, approve=False)
    await page.goto(f"{web.url}/workflows")
    bell = page.locator("#bell")
    await expect(bell).to_have_attribute("aria-label", "Notifications: 2 need you")
    await bell.click()
    await expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    await expect(page.get_by_text("“Ping the dead server” is failing")).to_be_visible()
    await expect(page.get_by_text("“Welcome new leads” is waiting for approval")).to_be_visible()
    await screenshot(page, "bell", tmp_path)
    await page.get_by_role("link", name="See what went wrong").click()
    await expect(page).to_have_url(re.compile(r"/runs/[0-9a-f]+$"))
    await expect(page.get_by_text("Ping the dead server").first).to_be_visible()
