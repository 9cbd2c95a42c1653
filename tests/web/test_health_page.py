"""The health page and its live events: the SSE stream over HTTP, the status canvas in Chromium."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from accounts.keys import create_key
from bot.app import create_app
from bot.web.pages import live
from storage.models import Member, Role, Run, WebLogin, Workflow, Workspace
from storage.scope import Tenant
from tests.web.conftest import Web, screenshot, sign_up_client, sign_up_in_browser
from workflows import service
from workflows.live import LiveEvent
from workflows.runs import start_run

OK_SPEC = {
    "name": "Post standup",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
    ],
}
FAIL_SPEC = {
    "name": "Ping the dead server",
    "trigger": {"type": "manual"},
    "steps": [{"id": "ping", "action": "http.request", "inputs": {"url": "http://127.0.0.1:1/"}}],
}


async def workspace_of(web: Web, email: str) -> str:
    """The workspace id of the web login with this email."""
    async with web.runtime.sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
        return login.workspace_id


async def new_workflow(
    web: Web, workspace_id: str, spec: dict[str, Any], *, approve: bool = True
) -> Workflow:
    """Create a workflow through the service; approve it as the owner unless told not to."""
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        owner = (
            await session.exec(
                select(Member).where(Member.workspace_id == workspace_id, Member.role == Role.owner)
            )
        ).one()
        parsed = service.parse_spec(spec, web.runtime.registry)
        proposal = await service.create_workflow(tenant, parsed, web.runtime.registry, None)
        if approve:
            await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
        await session.commit()
        return proposal.workflow


async def api_key(web: Web, workspace_id: str) -> str:
    """An API key of the workspace's owner, for the REST API."""
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, workspace_id)
        owner = (
            await session.exec(
                select(Member).where(Member.workspace_id == workspace_id, Member.role == Role.owner)
            )
        ).one()
        assert workspace is not None
        key, _ = await create_key(session, workspace, Role.owner, member=owner)
        await session.commit()
    return key


async def run_now(web: Web, workflow: Workflow) -> Run:
    """Start a run of an active workflow and hand it to the runtime, as the Run button does."""
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, workflow.workspace_id)
        fresh = await service.get_workflow(tenant, workflow.id)
        started = await start_run(tenant, fresh, trigger_type="manual")
        await session.commit()
    web.runtime.submit(started.run.id)
    return started.run


async def frames(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Parse a text/event-stream into (event type, JSON data); comments are skipped."""
    kind, data = "message", ""
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield kind, json.loads(data)
            kind, data = "message", ""
        elif line.startswith("event:"):
            kind = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data += line.removeprefix("data:").strip()


async def next_frame(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> tuple[str, Any]:
    """The next event, or fail after 10 s."""
    return await asyncio.wait_for(anext(stream), 10)


async def test_live_events_stream_the_workspace_runs_and_nothing_of_others(web: Web) -> None:
    acme = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    globex = await sign_up_client(web, email="gina@globex.example", workspace="Globex")
    acme_id = await workspace_of(web, "olivia@acme.example")
    globex_id = await workspace_of(web, "gina@globex.example")
    ours = await new_workflow(web, acme_id, OK_SPEC)
    theirs = await new_workflow(web, globex_id, OK_SPEC)
    await new_workflow(web, acme_id, {**OK_SPEC, "name": "Not approved yet"}, approve=False)

    assert (await web.client().get("/live/events")).status_code == 401
    async with (
        acme.stream("GET", "/live/events") as ours_response,
        globex.stream("GET", "/live/events") as theirs_response,
    ):
        assert ours_response.status_code == 200
        assert ours_response.headers["content-type"].startswith("text/event-stream")
        ours_events, theirs_events = frames(ours_response), frames(theirs_response)
        kind, snapshot = await next_frame(ours_events)
        assert kind == "snapshot"
        assert snapshot == {"running": 0, "waiting": 0, "pending_approvals": 1, "last_run": None}
        assert (await next_frame(theirs_events))[1]["pending_approvals"] == 0

        their_run = await run_now(web, theirs)
        await web.runtime.drain()
        our_run = await run_now(web, ours)
        seen: list[tuple[str, Any]] = []
        while not seen or seen[-1][0] not in ("run.succeeded", "run.failed"):
            seen.append(await next_frame(ours_events))
        assert [k for k, _ in seen] == [
            "run.started",
            "step.started",
            "step.finished",
            "run.succeeded",
        ]
        assert {e["run_id"] for _, e in seen} == {our_run.id}
        assert seen[1][1]["step_id"] == "post" and seen[0][1]["workflow_id"] == ours.id

        their_kinds: list[tuple[str, Any]] = []
        while not their_kinds or their_kinds[-1][0] != "run.succeeded":
            their_kinds.append(await next_frame(theirs_events))
        assert {e["run_id"] for _, e in their_kinds} == {their_run.id}
        # Acme's run finished meanwhile: Globex's next event is its own, never Acme's.
        web.runtime.live.publish(LiveEvent(globex_id, "approval.pending", workflow_id=theirs.id))
        kind, event = await next_frame(theirs_events)
        assert (kind, event["workflow_id"]) == ("approval.pending", theirs.id)

    for _ in range(100):  # both streams end once their clients hang up
        if web.runtime.live.subscriber_count == 0:
            break
        await asyncio.sleep(0.05)
    assert web.runtime.live.subscriber_count == 0
    async with acme.stream("GET", "/live/events") as again:
        kind, snapshot = await next_frame(frames(again))
    assert snapshot["last_run"] == {
        "id": our_run.id,
        "workflow": "Post standup",
        "status": "succeeded",
        "at": snapshot["last_run"]["at"],
    }
    await acme.aclose()
    await globex.aclose()


async def test_health_page_shows_figures_and_the_last_failures(web: Web) -> None:
    client = await sign_up_client(web)
    workspace_id = await workspace_of(web, "olivia@acme.example")
    ok = await new_workflow(web, workspace_id, OK_SPEC)
    bad = await new_workflow(web, workspace_id, FAIL_SPEC)
    await run_now(web, ok)
    failed = await run_now(web, bad)
    await web.runtime.drain()
    others = await sign_up_client(web, email="gina@globex.example", workspace="Globex")
    globex_id = await workspace_of(web, "gina@globex.example")
    await run_now(web, await new_workflow(web, globex_id, FAIL_SPEC))
    await web.runtime.drain()

    page = await client.get("/health")
    assert page.status_code == 200
    assert 'data-figure="runs_24h">2<' in page.text
    assert 'data-figure="failed_24h">1<' in page.text
    assert 'data-figure="success_rate_24h">50.0%<' in page.text
    assert 'data-figure="active_workflows">2<' in page.text
    assert page.text.count(f'href="/runs/{failed.id}"') == 1
    assert page.text.count('<li><a href="/runs/') == 1  # Globex's failure is not ours
    figures = (await client.get("/health/figures")).json()
    assert (figures["runs_24h"], figures["failed_24h"]) == (2, 1)
    assert [f["id"] for f in figures["failures"]] == [failed.id]
    assert (await web.client().get("/health")).status_code == 303
    await client.aclose()
    await others.aclose()


RECORD_STATES = """() => {
  window.seenStates = [];
  const canvas = document.getElementById("status-canvas");
  new MutationObserver(() => window.seenStates.push(canvas.dataset.state))
    .observe(canvas, { attributes: true, attributeFilter: ["data-state"] });
}"""


async def test_status_canvas_follows_runs_and_approvals_live(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    workspace_id = await workspace_of(web, "olivia@acme.example")
    ok = await new_workflow(web, workspace_id, OK_SPEC)
    bad = await new_workflow(web, workspace_id, FAIL_SPEC)
    await page.goto(f"{web.url}/health")
    canvas = page.locator("#status-canvas")
    status = page.locator("#status-text")
    await expect(page.locator("#stream-state")).to_have_text("Live")
    await expect(canvas).to_have_attribute("data-state", "idle")
    await expect(status).to_have_text("Idle: nothing is running.")
    await expect(page.locator("#status-link")).to_be_hidden()
    await page.evaluate(RECORD_STATES)

    await run_now(web, ok)
    await expect(canvas).to_have_attribute("data-state", "success")
    assert await page.evaluate("window.seenStates") == ["processing", "success"]
    await expect(status).to_contain_text("Success")
    await expect(page.locator('[data-figure="runs_24h"]')).to_have_text("1")

    failed = await run_now(web, bad)
    await expect(canvas).to_have_attribute("data-state", "error")
    await expect(status).to_contain_text("Error: a run failed")
    await expect(page.locator("#status-link")).to_have_attribute("href", f"/runs/{failed.id}")
    await expect(page.locator("#failures a")).to_have_text("Ping the dead server")
    await expect(page.locator('[data-figure="failed_24h"]')).to_have_text("1")
    await screenshot(page, "health", tmp_path)

    async with httpx.AsyncClient(base_url=web.url, timeout=10) as rest:  # as a script would
        created = await rest.post(
            "/api/workflows",
            json={"spec": {**OK_SPEC, "name": "Wants approval"}},
            headers={"Authorization": f"Bearer {await api_key(web, workspace_id)}"},
        )
    assert created.status_code == 201, created.text
    await expect(canvas).to_have_attribute("data-state", "waiting", timeout=15_000)
    await expect(status).to_contain_text("Waiting for approval")
    await expect(page.locator('[data-figure="pending_approvals"]')).to_have_text("1")
    await expect(page.locator(".status-legend li[aria-current]")).to_have_attribute(
        "data-key", "waiting"
    )
    assert await page.evaluate("window.seenStates") == [
        "processing",
        "success",
        "processing",
        "error",
        "waiting",
    ]


async def test_open_streams_end_when_the_server_shuts_down(web: Web) -> None:
    """A server stopping with a grace period cancels the stream; the subscription goes away."""
    client = await sign_up_client(web)
    app = create_app(web.settings, web.runtime)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with (
        httpx.AsyncClient(base_url=url, cookies=client.cookies, timeout=10) as other,
        other.stream("GET", "/live/events") as response,
    ):
        events = frames(response)
        assert (await next_frame(events))[0] == "snapshot"
        assert web.runtime.live.subscriber_count == 1
        server.should_exit = True
        with pytest.raises((StopAsyncIteration, httpx.RemoteProtocolError)):
            await next_frame(events)
    await asyncio.wait_for(task, 10)
    assert web.runtime.live.subscriber_count == 0
    await client.aclose()


async def test_reduced_motion_draws_a_still_picture(web: Web, browser: Browser) -> None:
    pictures: list[tuple[str, str]] = []
    for motion in ("reduce", "no-preference"):
        context = await browser.new_context(reduced_motion=motion)
        page = await context.new_page()
        await sign_up_in_browser(page, web, email=f"{motion}@acme.example", workspace=motion)
        await page.goto(f"{web.url}/health")
        await expect(page.locator("#stream-state")).to_have_text("Live")
        canvas = page.locator("#status-canvas")
        first = await canvas.evaluate("c => c.toDataURL()")
        await page.wait_for_timeout(400)
        pictures.append((first, await canvas.evaluate("c => c.toDataURL()")))
        await context.close()
    (still_a, still_b), (moving_a, moving_b) = pictures
    assert still_a == still_b and len(still_a) > 1000  # drawn, and not animated
    assert moving_a != moving_b  # the idle node breathes when motion is welcome


async def test_health_page_fits_a_phone(web: Web, page: Page, tmp_path: Path) -> None:
    await page.set_viewport_size({"width": 375, "height": 800})
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/health")
    await expect(page.locator("#stream-state")).to_have_text("Live")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await expect(page.locator("#status-canvas")).to_be_visible()
    await screenshot(page, "health-phone", tmp_path, full_page=True)


async def test_quiet_streams_send_a_heartbeat_comment(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.2)
    client = await sign_up_client(web)
    async with client.stream("GET", "/live/events") as response:
        lines = response.aiter_lines()
        seen = [await asyncio.wait_for(anext(lines), 5) for _ in range(6)]
    assert seen[:2] == ["retry: 3000", "event: snapshot"]
    assert ": keep-alive" in seen[3:]
    await client.aclose()
