"""The runs pages: the filtered, paginated list, a run's steps and timeline, and retry."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlmodel import col, select

from storage.models import Member, Run, RunStatus, StepRun, WebLogin, Workflow
from storage.scope import Tenant
from storage.types import utcnow
from tests.fakes.http_server import free_port
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser
from workflows import service
from workflows.runs import start_run


def partner_spec(port: int) -> dict[str, Any]:
    """Post to Slack, then call a partner on a closed port (fails), then post again."""
    return {
        "name": "Lead to partner",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "announce",
                "action": "slack.post_message",
                "inputs": {"channel": "#leads", "text": "New lead {{ trigger.lead }}"},
            },
            {
                "id": "forward",
                "action": "http.request",
                "inputs": {"method": "POST", "url": f"http://127.0.0.1:{port}/leads"},
            },
            {
                "id": "confirm",
                "action": "slack.post_message",
                "inputs": {"channel": "#leads", "text": "sent"},
            },
        ],
    }


NOTE_SPEC = {
    "name": "Daily note",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "note", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
    ],
}


async def owner_of(web: Web, email: str) -> Member:
    """The member behind a web login."""
    async with web.runtime.sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
        member = await session.get(Member, login.member_id)
    assert member is not None
    return member


async def active_workflow(web: Web, owner: Member, spec: dict[str, Any]) -> Workflow:
    """A workflow created by the assistant and approved by the owner."""
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, owner.workspace_id)
        parsed = service.parse_spec(spec, web.runtime.registry)
        proposal = await service.create_workflow(tenant, parsed, web.runtime.registry, None)
        await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
        await session.commit()
        return proposal.workflow


async def run_of(
    web: Web, workflow: Workflow, payload: dict[str, Any], *, execute: bool = True, **kw: Any
) -> Run:
    """Record a run and (unless told not to) execute it to the end."""
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, workflow.workspace_id)
        fresh = await session.get(Workflow, workflow.id)
        assert fresh is not None
        kw.setdefault("trigger_type", "manual")
        started = await start_run(tenant, fresh, payload=payload, **kw)
    return await web.runtime.engine.execute(started.run.id) if execute else started.run


async def steps_of(web: Web, run_id: str) -> list[StepRun]:
    async with web.runtime.sessions() as session:
        rows = await session.exec(select(StepRun).where(StepRun.run_id == run_id))
        return sorted(rows.all(), key=lambda s: s.position)


async def runs_with_key(web: Web, key: str) -> list[Run]:
    async with web.runtime.sessions() as session:
        return list((await session.exec(select(Run).where(Run.idempotency_key == key))).all())


async def all_runs(web: Web) -> list[Run]:
    async with web.runtime.sessions() as session:
        return list((await session.exec(select(Run))).all())


def run_links(page: str) -> list[str]:
    """Run ids the list links to, in page order."""
    return re.findall(r'href="/runs/([0-9a-f]{32})"', page)


async def setup(web: Web) -> tuple[httpx.AsyncClient, Member, Workflow, Workflow, Run, Run]:
    """An owner with a failed run of one workflow and a succeeded run of another."""
    client = await sign_up_client(web)
    owner = await owner_of(web, "olivia@acme.example")
    partner = await active_workflow(web, owner, partner_spec(free_port()))
    note = await active_workflow(web, owner, NOTE_SPEC)
    failed = await run_of(web, partner, {"lead": "Ann"})
    succeeded = await run_of(web, note, {})
    assert failed.status == RunStatus.failed and succeeded.status == RunStatus.succeeded
    return client, owner, partner, note, failed, succeeded


async def test_runs_list_filters_by_status_workflow_and_trigger(web: Web) -> None:
    client, _, partner, note, failed, succeeded = await setup(web)
    hooked = await run_of(web, note, {"a": 1}, execute=False, trigger_type="webhook")
    everything = (await client.get("/runs")).text
    assert run_links(everything) == [hooked.id, succeeded.id, failed.id]  # newest first
    assert "Lead to partner" in everything and 'class="badge failed"' in everything
    only_failed = (await client.get("/runs?status=failed")).text
    assert run_links(only_failed) == [failed.id]
    per_workflow = (await client.get(f"/runs?workflow={note.id}")).text
    assert run_links(per_workflow) == [hooked.id, succeeded.id]
    assert "<h1>Runs of Daily note</h1>" in per_workflow
    by_trigger = (await client.get("/runs?trigger=webhook")).text
    assert run_links(by_trigger) == [hooked.id]
    combined = (await client.get(f"/runs?workflow={partner.id}&status=succeeded")).text
    assert run_links(combined) == []
    assert re.search(r'badge failed">failed</span> <span class="n">1<', everything)
    await client.aclose()


async def test_runs_list_pages_fifty_at_a_time_without_overlap(web: Web) -> None:
    client = await sign_up_client(web)
    owner = await owner_of(web, "olivia@acme.example")
    note = await active_workflow(web, owner, NOTE_SPEC)
    first = await run_of(web, note, {}, execute=False)
    start = utcnow()
    async with web.runtime.sessions() as session:
        for n in range(119):
            session.add(
                Run(
                    workspace_id=owner.workspace_id,
                    workflow_id=note.id,
                    version_id=first.version_id,
                    trigger_type="manual",
                    status=RunStatus.succeeded if n % 2 else RunStatus.failed,
                    created_at=start - timedelta(minutes=n),
                )
            )
        await session.commit()
    seen: list[str] = []
    url: str | None = "/runs"
    sizes = []
    while url:
        page = (await client.get(url)).text
        ids = run_links(page)
        sizes.append(len(ids))
        seen += ids
        found = re.search(r'<a class="btn" href="([^"]+)" rel="next">', page)
        url = html.unescape(found.group(1)) if found else None
    assert sizes == [50, 50, 20]
    assert len(set(seen)) == 120
    async with web.runtime.sessions() as session:
        newest_first = await session.exec(
            select(Run.id).order_by(col(Run.created_at).desc(), col(Run.id).desc())
        )
        assert seen == list(newest_first.all())
    failed_pages = (await client.get("/runs?status=failed")).text
    assert len(run_links(failed_pages)) == 50 and "status=failed" in failed_pages
    await client.aclose()


async def test_run_detail_shows_steps_with_inputs_outputs_and_errors(web: Web) -> None:
    client, _, _, _, failed, succeeded = await setup(web)
    steps = await steps_of(web, failed.id)
    assert [(s.step_id, s.status.value) for s in steps] == [
        ("announce", "succeeded"),
        ("forward", "failed"),
    ]
    page = (await client.get(f"/runs/{failed.id}")).text
    announce = page.split('id="step-announce"')[1].split("</li>")[0]
    forward = page.split('id="step-forward"')[1].split("</li>")[0]
    assert "New lead Ann" in announce and "Outputs" in announce and "step-error" not in announce
    assert 'class="step-error"' in forward and html.escape(steps[1].error or "?") in forward
    assert f"{steps[1].attempts} attempt" in forward and "/leads" in forward
    assert "Not reached in this run." in page.split('id="step-confirm"')[1]
    assert "&#34;lead&#34;: &#34;Ann&#34;" in page or "&quot;lead&quot;: &quot;Ann&quot;" in page
    assert "step started" in page and 'action="/runs/' + failed.id + '/retry"' in page
    ok_page = (await client.get(f"/runs/{succeeded.id}")).text
    assert "/retry" not in ok_page and "runs.js" not in ok_page  # finished: no refresher
    state = (await client.get(f"/runs/{failed.id}.json")).json()
    assert state["status"] == "failed" and state["finished"] is True
    await client.aclose()


async def test_retry_of_a_failed_run_starts_exactly_one_new_run(web: Web) -> None:
    client, _, _, _, failed, _ = await setup(web)
    token = await page_csrf(client, f"/runs/{failed.id}")
    before = len(await all_runs(web))
    first = await client.post(f"/runs/{failed.id}/retry", data={"csrf_token": token})
    second = await client.post(f"/runs/{failed.id}/retry", data={"csrf_token": token})
    retries = await runs_with_key(web, f"retry:{failed.id}")
    assert len(retries) == 1
    new = retries[0]
    assert first.status_code == 303 and first.headers["location"] == f"/runs/{new.id}"
    assert second.status_code == 303 and second.headers["location"] == f"/runs/{new.id}"
    assert new.trigger_payload == {"lead": "Ann"} and new.id != failed.id
    assert len(await all_runs(web)) == before + 1
    await web.runtime.drain()
    page = (await client.get(f"/runs/{new.id}")).text
    assert "already retried" in page  # the second click's message
    await client.aclose()


async def test_retry_without_the_csrf_token_is_refused(web: Web) -> None:
    client, _, _, _, failed, _ = await setup(web)
    refused = await client.post(f"/runs/{failed.id}/retry", data={})
    assert refused.status_code == 403
    assert await runs_with_key(web, f"retry:{failed.id}") == []
    await client.aclose()


async def test_another_workspaces_run_is_not_found(web: Web) -> None:
    client, _, partner, _, failed, _ = await setup(web)
    other = await sign_up_client(web, email="mallory@else.example", workspace="Else")
    token = await page_csrf(other, "/runs")
    assert (await other.get(f"/runs/{failed.id}")).status_code == 404
    assert (await other.get(f"/runs/{failed.id}.json")).status_code == 404
    assert (await other.get(f"/runs?workflow={partner.id}")).status_code == 404
    retried = await other.post(f"/runs/{failed.id}/retry", data={"csrf_token": token})
    assert retried.status_code == 404
    assert run_links((await other.get("/runs")).text) == []
    assert await runs_with_key(web, f"retry:{failed.id}") == []
    await client.aclose()
    await other.aclose()


async def test_retry_in_the_browser_opens_the_new_run(
    web: Web, page: Page, tmp_path: Path, backend: str
) -> None:
    await sign_up_in_browser(page, web)
    owner = await owner_of(web, "olivia@acme.example")
    partner = await active_workflow(web, owner, partner_spec(free_port()))
    note = await active_workflow(web, owner, NOTE_SPEC)
    for _ in range(2):
        await run_of(web, note, {})
    failed = await run_of(web, partner, {"lead": "Ann"})
    await page.goto(f"{web.url}/runs")
    await expect(page.locator("table.runs tbody tr")).to_have_count(3)
    await screenshot(page, "runs", tmp_path, full_page=True)
    await page.set_viewport_size({"width": 375, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await page.set_viewport_size({"width": 1280, "height": 860})
    await page.goto(f"{web.url}/runs/{failed.id}")
    await page.locator("#step-forward summary", has_text="Inputs").click()
    await expect(page.locator("#step-forward .step-error")).to_be_visible()
    await screenshot(page, "run-detail", tmp_path, full_page=True)
    await page.set_viewport_size({"width": 375, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await page.set_viewport_size({"width": 1280, "height": 860})
    await page.get_by_role("button", name="Retry").click()
    await page.wait_for_url(re.compile(r"/runs/[0-9a-f]{32}$"))
    new_id = page.url.rsplit("/", 1)[1]
    assert new_id != failed.id
    assert [r.id for r in await runs_with_key(web, f"retry:{failed.id}")] == [new_id]
    await expect(page.locator(".run-summary .badge").first).to_have_text("failed", timeout=15_000)


async def test_an_unfinished_run_page_refreshes_itself(web: Web, page: Page, backend: str) -> None:
    await sign_up_in_browser(page, web)
    owner = await owner_of(web, "olivia@acme.example")
    note = await active_workflow(web, owner, NOTE_SPEC)
    queued = await run_of(web, note, {}, execute=False)
    await page.goto(f"{web.url}/runs/{queued.id}")
    await expect(page.locator(".run-summary .badge").first).to_have_text("queued")
    await web.runtime.engine.execute(queued.id)
    await expect(page.locator(".run-summary .badge").first).to_have_text("succeeded")
    await expect(page.locator("#step-note")).to_contain_text("succeeded")
