"""The workflow library, a workflow's page and the template marketplace, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import event
from sqlmodel import col, select

from storage.models import (
    Approval,
    Decision,
    Member,
    Role,
    Run,
    RunStatus,
    Workflow,
    WorkflowStatus,
)
from storage.scope import Tenant
from storage.types import utcnow
from tests.web.conftest import (
    Web,
    csrf_of,
    page_csrf,
    screenshot,
    sign_up_client,
    sign_up_in_browser,
)
from workflows import service
from workflows.catalog import TemplateCatalog
from workflows.spec import CATEGORIES

DIGEST = "weekly-new-leads-digest"
UPTIME = "website-uptime-alert"
HTML = {"accept": "text/html"}


async def create_from_template(client: httpx.AsyncClient, template_id: str, **fields: str) -> str:
    """Fill in a template's form and create the draft; returns the new workflow's id."""
    token = await page_csrf(client, f"/templates/{template_id}")
    response = await client.post(f"/templates/{template_id}", data={"csrf_token": token, **fields})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/workflows/(\w+)", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


async def approve(web: Web, workflow_id: str) -> None:
    """Approve the pending version as the workspace owner (through the service layer)."""
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
        assert workflow is not None
        tenant = Tenant(session, workflow.workspace_id)
        approval = await tenant.first(
            tenant.select(Approval).where(
                Approval.workflow_id == workflow_id, Approval.decision == Decision.pending
            )
        )
        owner = await tenant.first(tenant.select(Member).where(Member.role == Role.owner))
        assert approval is not None and owner is not None
        await service.decide(tenant, approval.id, owner, approve=True, confirm=True)
        await session.commit()
        await web.runtime.sync_workflow(workflow)


async def status_of(web: Web, workflow_id: str) -> WorkflowStatus:
    """The workflow's status as stored."""
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
        assert workflow is not None
        return workflow.status


async def runs_of(web: Web, workflow_id: str) -> list[Run]:
    """The workflow's runs as stored."""
    async with web.runtime.sessions() as session:
        query = select(Run).where(Run.workflow_id == workflow_id)
        return list((await session.exec(query.order_by(col(Run.created_at)))).all())


async def act(client: httpx.AsyncClient, workflow_id: str, verb: str) -> str:
    """Press Pause / Resume / Run now on the library; returns the flash message shown after."""
    token = await page_csrf(client)
    response = await client.post(
        f"/workflows/{workflow_id}/{verb}", data={"csrf_token": token, "back": "/workflows"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/workflows"
    page = await client.get("/workflows")
    found = re.search(r'<div class="alert (ok|error) flash" role="\w+">([^<]*)</div>', page.text)
    assert found, "no message shown after the action"
    again = await client.get("/workflows")
    assert 'class="alert' not in again.text, "the message is shown once"
    return found.group(2)


def row_of(html: str, workflow_id: str) -> str:
    """The library's table row of one workflow."""
    found = re.search(rf'<tr data-workflow-row="{workflow_id}">(.*?)</tr>', html, re.S)
    assert found, f"workflow {workflow_id} is not listed"
    return found.group(1)


async def test_library_lists_workflows_with_status_trigger_class_and_runs(web: Web) -> None:
    client = await sign_up_client(web)
    empty = await client.get("/workflows")
    assert "No workflows yet" in empty.text
    assert 'href="/templates"' in empty.text and 'href="/"' in empty.text
    digest = await create_from_template(client, DIGEST, workflow_name="Monday leads")
    uptime = await create_from_template(client, UPTIME, url="https://shop.example")
    await approve(web, digest)
    assert "Started a run" in await act(client, digest, "run")
    page = (await client.get("/workflows")).text
    first = row_of(page, digest)
    assert "Monday leads" in first and "Active" in first and "Class A" in first
    assert "every Monday at 09:00 (UTC)" in first
    assert re.search(r"data-runs-7d>1<", first)
    assert 'href="/runs?workflow=' + digest in first and f"/workflows/{digest}/edit" in first
    second = row_of(page, uptime)
    assert "Pending approval" in second and "every 5 minutes" in second
    assert "No runs yet" in second and "data-runs-7d>0<" in second
    assert 'action="/workflows/' + uptime + '/run"' in second  # present but hidden
    assert re.search(r'data-show-when="active" hidden', second)
    await client.aclose()


async def test_search_and_status_filter_narrow_the_library(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST, workflow_name="Monday leads")
    uptime = await create_from_template(client, UPTIME, url="https://shop.example")
    await approve(web, digest)
    await act(client, digest, "pause")
    found = (await client.get("/workflows?q=monday")).text
    assert digest in found and f'data-workflow-row="{uptime}"' not in found
    by_category = (await client.get("/workflows?q=notif")).text
    assert f'data-workflow-row="{uptime}"' in by_category and f"row={digest}" not in by_category
    paused = (await client.get("/workflows?status=paused")).text
    assert f'data-workflow-row="{digest}"' in paused
    assert f'data-workflow-row="{uptime}"' not in paused
    nothing = (await client.get("/workflows?status=archived&q=monday")).text
    assert "No workflows match" in nothing
    await client.aclose()


async def test_pause_resume_and_run_now_change_the_workflow(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST)
    await approve(web, digest)
    assert "Paused “Weekly new leads digest”" in await act(client, digest, "pause")
    assert await status_of(web, digest) == WorkflowStatus.paused
    refused = await act(client, digest, "run")
    assert "cannot run now: it is paused: resume it first" in refused
    assert await runs_of(web, digest) == []
    assert "Resumed" in await act(client, digest, "resume")
    assert await status_of(web, digest) == WorkflowStatus.active
    assert "Started a run" in await act(client, digest, "run")
    runs = await runs_of(web, digest)
    assert len(runs) == 1 and runs[0].trigger_type == "manual"
    again = await act(client, digest, "resume")
    assert "cannot resume a workflow that is active" in again.lower()
    await client.aclose()


async def test_actions_without_the_csrf_token_are_refused(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST)
    await approve(web, digest)
    for verb in ("pause", "run"):
        response = await client.post(f"/workflows/{digest}/{verb}", data={"back": "/workflows"})
        assert response.status_code == 403
    forged = await client.post(f"/workflows/{digest}/pause", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert await status_of(web, digest) == WorkflowStatus.active
    assert await runs_of(web, digest) == []
    await client.aclose()


async def test_run_now_on_a_workflow_waiting_for_approval_says_why(web: Web) -> None:
    client = await sign_up_client(web)
    uptime = await create_from_template(client, UPTIME, url="https://shop.example")
    message = await act(client, uptime, "run")
    assert "it is waiting for approval: it can run once approved" in message
    assert await runs_of(web, uptime) == []
    await client.aclose()


async def test_script_actions_answer_in_json(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST)
    await approve(web, digest)
    headers = {"x-csrf-token": await page_csrf(client), "x-requested-with": "fetch"}
    paused = await client.post(f"/workflows/{digest}/pause", headers=headers)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    refused = await client.post(f"/workflows/{digest}/run", headers=headers)
    assert refused.status_code == 409 and "paused" in refused.json()["error"]["message"]
    await client.aclose()


async def test_viewers_see_no_actions_and_cannot_act(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST)
    await approve(web, digest)
    async with web.runtime.sessions() as session:
        member = (await session.exec(select(Member))).one()
        member.role = Role.viewer
        await session.commit()
    page = (await client.get("/workflows")).text
    row = row_of(page, digest)
    assert "Pause" not in row and "Run now" not in row and "/edit" not in row
    assert f"/runs?workflow={digest}" in row
    assert await act(client, digest, "pause") == "Viewers cannot pause workflows."
    assert await status_of(web, digest) == WorkflowStatus.active
    template = (await client.get(f"/templates/{DIGEST}")).text
    assert "Create draft" not in template
    await client.aclose()


async def test_another_workspaces_workflow_is_not_found(web: Web) -> None:
    owner = await sign_up_client(web)
    digest = await create_from_template(owner, DIGEST)
    await approve(web, digest)
    other = await sign_up_client(web, email="sam@other.example", workspace="Other Co")
    page = await other.get(f"/workflows/{digest}", headers=HTML)
    assert page.status_code == 404 and "Page not found" in page.text
    assert "Weekly new leads digest" not in page.text
    token = await page_csrf(other)
    pause = await other.post(f"/workflows/{digest}/pause", data={"csrf_token": token})
    assert pause.status_code == 404
    assert await status_of(web, digest) == WorkflowStatus.active
    assert f'workflow-row="{digest}"' not in (await other.get("/workflows")).text
    await owner.aclose()
    await other.aclose()


async def test_workflow_page_shows_what_it_does_versions_approval_and_runs(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST, channel="#pipeline")
    pending = (await client.get(f"/workflows/{digest}")).text
    assert "Waiting for approval" in pending and "Class A" in pending
    assert "any member except viewers" in pending
    approval = re.search(r'action="/approvals/(\w+)/approve"', pending)
    assert approval and 'action="/approvals/' + approval.group(1) + '/reject"' in pending
    assert "Post the contacts found in #pipeline" in pending and "Find last week" in pending
    assert "&#34;cron&#34;: &#34;0 9 * * 1&#34;" in pending  # the spec as pretty JSON
    await approve(web, digest)
    await act(client, digest, "run")
    run = (await runs_of(web, digest))[0]
    page = (await client.get(f"/workflows/{digest}")).text
    assert "Waiting for approval" not in page
    assert f'href="/runs/{run.id}"' in page and "manual" in page
    assert re.search(r"v1 <span[^>]*>\(running\)</span>", page)
    hook = await create_from_template(
        client, "webhook-forwarder", target_url="https://crm.example/in"
    )
    hook_page = (await client.get(f"/workflows/{hook}")).text
    assert re.search(rf'value="http[^"]+/hooks/{hook}/[\w-]+"', hook_page)
    await client.aclose()


async def test_template_marketplace_has_six_categories_and_search(web: Web) -> None:
    client = await sign_up_client(web)
    page = (await client.get("/templates")).text
    for category in CATEGORIES:
        assert f'href="/templates?category={category}"' in page
    every = page.count('class="card tpl-card"')
    assert every >= 30
    assert "every Monday at 09:00 (UTC)" in page and "Class B" in page
    stripe = (await client.get("/templates?q=stripe")).text
    found = stripe.count('class="card tpl-card"')
    assert 0 < found < every and "New payment alert" in stripe
    assert "Weekly new leads digest" not in stripe
    reporting = (await client.get("/templates?category=reporting")).text
    assert "Weekly new leads digest" in reporting and "Website down alert" not in reporting
    none = (await client.get("/templates?q=zzzqqq")).text
    assert "No templates match" in none and 'href="/?ask=zzzqqq"' in none
    await client.aclose()


async def test_template_form_shows_parameters_and_problems_inline(web: Web) -> None:
    client = await sign_up_client(web)
    form = (await client.get(f"/templates/{UPTIME}")).text
    assert "The page to check" in form and "(required)" in form
    assert 'value="300"' in form and "For example: https://www.example.com" in form
    assert "Check a web address" in form
    assert "post why the check failed in #alerts" in form
    assert 'href="/?ask=Set%20up%20the%20' in form
    token = csrf_of(form)
    bad = await client.post(
        f"/templates/{UPTIME}",
        data={"csrf_token": token, "url": "", "check_every_seconds": "often"},
    )
    assert bad.status_code == 422
    assert "Enter the page to check." in bad.text and "Enter a whole number" in bad.text
    assert 'value="often"' in bad.text and 'aria-invalid="true"' in bad.text
    wrong = await client.post(
        f"/templates/{UPTIME}",
        data={"csrf_token": token, "url": "https://shop.example", "check_every_seconds": "0"},
    )
    assert wrong.status_code == 422 and "check_every_seconds" in wrong.text
    assert 'value="https://shop.example"' in wrong.text
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(Workflow))).all() == []
    async with web.runtime.sessions() as session:
        workspace_id = (await session.exec(select(Member))).one().workspace_id
    async with web.runtime.live.subscribe(workspace_id) as events:
        created = await create_from_template(
            client, UPTIME, url="https://shop.example", check_every_seconds="600"
        )
        announced = events.get_nowait()
    assert announced.kind == "approval.pending" and announced.workflow_id == created
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, created)
        assert workflow is not None
        assert workflow.status == WorkflowStatus.pending_approval
        assert workflow.template_id == UPTIME
    page = (await client.get(f"/workflows/{created}")).text
    assert "Created “Website down alert”" in page and "Waiting for approval" in page
    assert "every 10 minutes" in page
    await client.aclose()


async def create_in_browser(page: Page, web: Web, template_id: str, **fields: str) -> str:
    """Create a draft from a template with the browser's session; returns the workflow id."""
    await page.goto(f"{web.url}/templates")
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = await page.request.post(
        f"{web.url}/templates/{template_id}",
        form={"csrf_token": token or "", **fields},
        max_redirects=0,
    )
    assert response.status == 303, await response.text()
    return response.headers["location"].rsplit("/", 1)[1]


async def test_browse_templates_fill_one_in_and_land_on_the_pending_draft(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    tabs = page.get_by_role("navigation", name="Template categories").get_by_role("link")
    await expect(tabs).to_have_count(len(CATEGORIES) + 1)
    await expect(
        page.get_by_role("link", name="Use template Weekly new leads digest")
    ).to_be_visible()
    await screenshot(page, "templates", tmp_path, full_page=True)
    await page.get_by_label("Search templates").fill("website down")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/templates\?q=website\+down"))
    await expect(
        page.get_by_role("link", name="Use template Weekly new leads digest")
    ).to_have_count(0)
    await page.get_by_role("link", name="Use template Website down alert").click()
    await expect(page.get_by_role("heading", name="Website down alert")).to_be_visible()
    await page.get_by_role("button", name="Create draft").click()
    await expect(page.get_by_text("Enter the page to check.")).to_be_visible()
    await expect(page.get_by_label("The page to check")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("The page to check").fill("https://shop.example")
    await page.get_by_label("How often to check, in seconds").fill("600")
    await page.get_by_label("Workflow name").fill("Shop uptime")
    await page.get_by_role("button", name="Create draft").click()
    await expect(page).to_have_url(re.compile(r"/workflows/\w+$"))
    await expect(page.get_by_role("heading", name="Shop uptime")).to_be_visible()
    await expect(
        page.get_by_role("heading", name=re.compile("Waiting for approval"))
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Approve")).to_be_visible()
    await expect(page.get_by_text("Runs every 10 minutes.")).to_be_visible()
    await page.get_by_text("Spec of version 1 (JSON)").click()
    await expect(page.get_by_text('"seconds": 600')).to_be_visible()
    await screenshot(page, "workflow-detail", tmp_path, full_page=True)


async def test_library_in_the_browser_pauses_in_place_and_fits_a_phone(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    digest = await create_in_browser(page, web, DIGEST, workflow_name="Monday leads digest")
    paused = await create_in_browser(page, web, "daily-sales-summary")
    await create_in_browser(page, web, UPTIME, url="https://shop.example")
    for workflow_id in (digest, paused):
        await approve(web, workflow_id)
    await page.goto(f"{web.url}/workflows")
    await page.get_by_role("button", name="Pause Daily sales summary").click()
    await expect(page.get_by_role("status").filter(has_text="Paused “Daily sales")).to_be_visible()
    await page.get_by_role("button", name="Run now Monday leads digest").click()
    await expect(page.locator("#toast")).to_have_text("Started a run of “Monday leads digest”.")
    row = page.locator(f'tr[data-workflow-row="{digest}"]')
    await expect(row.locator("[data-runs-7d]")).to_have_text("1")
    await page.get_by_role("button", name="Pause Monday leads digest").click()
    await expect(row.locator("[data-status]")).to_have_text("Paused")
    await expect(page).to_have_url(f"{web.url}/workflows")
    await expect(row.get_by_role("button", name="Resume Monday leads digest")).to_be_visible()
    await expect(row.get_by_role("button", name="Run now Monday leads digest")).to_be_hidden()
    await page.get_by_role("button", name="Resume Monday leads digest").click()
    await expect(row.locator("[data-status]")).to_have_text("Active")
    assert await status_of(web, digest) == WorkflowStatus.active
    await page.reload()
    await screenshot(page, "workflows", tmp_path, full_page=True)
    await page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/workflows", "/templates", f"/workflows/{digest}", f"/templates/{UPTIME}"):
        await page.goto(f"{web.url}{path}")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a phone"


async def test_library_queries_do_not_grow_with_workflows_and_runs(web: Web) -> None:
    client = await sign_up_client(web)
    first = await create_from_template(client, DIGEST)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(web.runtime.db.sync_engine, "before_cursor_execute", count)
    try:
        assert (await client.get("/workflows")).status_code == 200
        few = len(statements)
        async with web.runtime.sessions() as session:
            workflow = await session.get(Workflow, first)
            assert workflow is not None
            tenant = Tenant(session, workflow.workspace_id)
            spec = TemplateCatalog.load().instantiate(DIGEST, {})
            now = utcnow()
            for n in range(150):
                made = await service.create_workflow(tenant, spec, web.runtime.registry, None)
                made.workflow.name = f"Digest {n:03}"
                for day in range(10):
                    tenant.add(
                        Run(
                            workspace_id="",
                            workflow_id=made.workflow.id,
                            version_id=made.version.id,
                            status=RunStatus.failed if day == 0 else RunStatus.succeeded,
                            trigger_type="schedule",
                            created_at=now - timedelta(days=day, hours=1),
                        )
                    )
            await session.commit()
        statements.clear()
        page = await client.get("/workflows")
        assert len(statements) == few, "the library's queries grow with the workflows"
    finally:
        event.remove(web.runtime.db.sync_engine, "before_cursor_execute", count)
    assert page.text.count("<tr data-workflow-row=") == 151
    row = re.search(
        r'<tr data-workflow-row="\w+">\s*<td[^>]*><a[^>]*>Digest 042<.*?</tr>', page.text, re.S
    )
    assert row and "data-runs-7d>7<" in row.group(0) and "badge failed" in row.group(0)
    await client.aclose()


async def test_archive_from_the_workflow_page_stops_it_for_good(web: Web) -> None:
    client = await sign_up_client(web)
    digest = await create_from_template(client, DIGEST)
    await approve(web, digest)
    page = (await client.get(f"/workflows/{digest}")).text
    assert f'action="/workflows/{digest}/archive"' in page and "data-confirm=" in page
    token = await page_csrf(client)
    back = f"/workflows/{digest}"
    response = await client.post(
        f"/workflows/{digest}/archive", data={"csrf_token": token, "back": back}
    )
    assert response.status_code == 303 and response.headers["location"] == back
    after = (await client.get(back)).text
    assert "Archived “Weekly new leads digest”: it never runs again" in after
    assert f'action="/workflows/{digest}/archive"' not in after  # nothing left to archive
    assert await status_of(web, digest) == WorkflowStatus.archived
    if web.runtime.scheduler is not None:
        assert web.runtime.scheduler.next_fire_time(digest) is None  # unscheduled
    assert await act(client, digest, "resume") == "Cannot resume a workflow that is archived."
    assert "archived workflows never run" in await act(client, digest, "run")
    assert await runs_of(web, digest) == []
    await client.aclose()


async def test_a_template_says_which_connections_it_needs(web: Web) -> None:
    client = await sign_up_client(web)
    page = await client.get("/templates/daily-metrics-to-sheet")
    assert page.status_code == 200
    assert (
        'It needs <a href="/connections#stripe">Stripe</a> and '
        '<a href="/connections#google">Google Sheets</a> connected.'
    ) in page.text
