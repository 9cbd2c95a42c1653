"""The quickstart journey in Chromium: sign up, ask, approve, see it active, run it, read the run.

It crosses every page a new customer meets in their first minutes, through the real app on
loopback, and checks each page against the database.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from storage.models import Run, RunStatus, StepRun, Workflow, WorkflowStatus
from tests.web.conftest import Web, screenshot, sign_up_in_browser

REQUEST = "every Monday at 9am send me the weekly report by email"


async def test_sign_up_ask_approve_run_now_and_read_the_run(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)

    # Ask in the chat: the draft card arrives in the stream, Approve switches it on.
    box = page.get_by_label("Message to Levqor")
    await box.fill(REQUEST)
    await box.press("Enter")
    card = page.locator(".draft-card")
    await expect(card).to_be_visible()
    workflow_id = await card.get_attribute("data-workflow-id")
    assert workflow_id
    await card.get_by_role("button", name="Approve").click()
    await expect(page.locator(".msg.assistant .bubble").last).to_contain_text("is active")

    # The library lists it as active.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Workflows").click()
    await expect(page).to_have_url(f"{web.url}/workflows")
    row = page.locator(f'tr[data-workflow-row="{workflow_id}"]')
    await expect(row.locator("[data-status]")).to_have_text(re.compile("active", re.I))
    name = (await row.locator(".wf-name").inner_text()).strip()

    # Run now from the row.
    await row.get_by_role("button", name=f"Run now {name}").click()
    async with web.runtime.sessions() as session:
        for _ in range(200):
            runs = (await session.exec(select(Run).where(Run.workflow_id == workflow_id))).all()
            if runs and runs[0].status in (RunStatus.succeeded, RunStatus.failed):
                break
            await page.wait_for_timeout(50)
            session.expunge_all()
            await session.commit()
    assert len(runs) == 1 and runs[0].status == RunStatus.succeeded, runs
    run = runs[0]

    # The run is on the runs page, and its page shows each step that ran.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    await expect(page.get_by_role("link", name=name).first).to_be_visible()
    await page.get_by_role("link", name=re.compile(f"^Open run of {re.escape(name)}")).click()
    await expect(page).to_have_url(f"{web.url}/runs/{run.id}")
    async with web.runtime.sessions() as session:
        steps = (await session.exec(select(StepRun).where(StepRun.run_id == run.id))).all()
        workflow = await session.get(Workflow, workflow_id)
    assert workflow is not None and workflow.status == WorkflowStatus.active
    assert steps, "the run recorded no steps"
    for step in steps:
        item = page.locator(f"#step-{step.step_id}")
        await expect(item.locator(".badge")).to_have_text("succeeded")
        await expect(item).to_contain_text(step.action)
    await expect(page.locator("#run-state .badge").first).to_have_text("succeeded")
    await screenshot(page, "journey-run", tmp_path)


async def test_another_workspaces_workflow_is_not_found_in_the_browser(
    web: Web, page: Page, browser: Browser
) -> None:
    await sign_up_in_browser(page, web, email="olivia@acme.example", workspace="Acme")
    await page.get_by_label("Message to Levqor").fill(REQUEST)
    await page.get_by_label("Message to Levqor").press("Enter")
    card = page.locator(".draft-card")
    await expect(card).to_be_visible()
    theirs = await card.get_attribute("data-workflow-id")

    other = await browser.new_context()
    try:
        stranger = await other.new_page()
        await sign_up_in_browser(stranger, web, email="sam@globex.example", workspace="Globex")
        for path in (
            f"/workflows/{theirs}",
            f"/workflows/{theirs}/edit",
            f"/runs?workflow={theirs}",
        ):
            response = await stranger.goto(f"{web.url}{path}")
            assert response is not None and response.status == 404, path
            await expect(stranger.get_by_role("heading", name="Page not found")).to_be_visible()
            await expect(stranger.get_by_text("Acme")).to_have_count(0)
    finally:
        await other.close()
