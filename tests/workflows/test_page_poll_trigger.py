"""The web page poll trigger, through the scheduler's own call (`Runtime.fire`) against a page
served on loopback: the first look records, an unchanged page starts nothing, a change starts
one run per page with what changed, a page that cannot be read keeps its snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage.config import Settings
from storage.models import OutboxMessage, PageSnapshot, Run, RunStatus, Workspace
from storage.scope import Tenant
from tests.fakes.http_server import serve_app
from tests.workflows.helpers import activate, owner_of
from workflows import service
from workflows.runtime import Runtime


@dataclass
class Site:
    """Pages served on loopback; a test changes `pages` (path → HTML) and `status`."""

    url: str = ""
    pages: dict[str, str] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)


def pricing(pro: str, team: str = "£9", note: str = "Billed yearly.") -> str:
    return (
        "<!doctype html><html><head><title>Pricing</title><style>.p{color:red}</style>"
        "<script>var tracking = 'US$1';</script></head><body>"
        f"<h1>Plans</h1><div class='plan'>Pro plan <b>{pro}</b> per year</div>"
        f"<p>Team plan {team} per seat</p><noscript>Enable JavaScript</noscript>"
        f"<p>{note}</p></body></html>"
    )


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    served = Site()

    async def page(request: Request) -> Response:
        path = request.url.path
        served.hits.append(path)
        status = served.status.get(path, 200)
        if status != 200:
            return Response("nope", status_code=status)
        return Response(served.pages[path], media_type="text/html; charset=utf-8")

    with serve_app(Starlette(routes=[Route("/{name:path}", page)])) as server:
        served.url = server.url
        yield served


def watch_spec(pages: list[str], **watch: Any) -> dict[str, Any]:
    return {
        "name": "Competitor prices",
        "trigger": {"type": "poll", "pages": pages, "interval_seconds": 1800, **watch},
        "steps": [
            {
                "id": "tell_pricing",
                "action": "slack.post_message",
                "inputs": {
                    "channel": "#pricing",
                    "text": "{{ trigger.summary }} Before: {{ trigger.before }} "
                    "After: {{ trigger.after }}",
                },
            }
        ],
    }


async def runs_of(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[Run]:
    async with sessions() as session:
        query = select(Run).where(Run.workflow_id == workflow_id).order_by(col(Run.created_at))
        return list((await session.exec(query)).all())


async def snapshots(sessions: async_sessionmaker[AsyncSession]) -> dict[str, PageSnapshot]:
    async with sessions() as session:
        return {row.url: row for row in (await session.exec(select(PageSnapshot))).all()}


async def messages(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        return [m.body for m in (await session.exec(select(OutboxMessage))).all()]


async def test_a_text_change_starts_one_run_with_before_and_after(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace, site: Site
) -> None:
    site.pages = {"/pricing": pricing("$49.00"), "/about": "<p>We make tea.</p>"}
    urls = [f"{site.url}/pricing", f"{site.url}/about"]
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, watch_spec(urls), runtime.registry)
        await runtime.fire(workflow.id)  # the first look: a baseline, no run
        assert await runs_of(sessions, workflow.id) == []
        baseline = await snapshots(sessions)
        assert set(baseline) == set(urls)
        text = baseline[urls[0]].text
        assert text.splitlines() == [
            "Plans",
            "Pro plan $49.00 per year",
            "Team plan £9 per seat",
            "Billed yearly.",
        ]  # no script, style, noscript or tags
        await runtime.fire(workflow.id)  # nothing changed: nothing starts
        assert await runs_of(sessions, workflow.id) == []
        site.pages["/pricing"] = pricing("$49.00", note="Billed monthly.")
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert [r.status for r in runs] == [RunStatus.succeeded]
        data = runs[0].trigger_payload
        assert data["url"] == urls[0]
        assert data["before"] == "Billed yearly."
        assert data["after"] == "Billed monthly."
        assert data["changes"] == [{"before": "Billed yearly.", "after": "Billed monthly."}]
        assert "“Billed yearly.” is now “Billed monthly.”" in data["summary"]
        await runtime.fire(workflow.id)  # the change is the new baseline
        assert len(await runs_of(sessions, workflow.id)) == 1
    finally:
        await runtime.close()
    assert len(await messages(sessions)) == 1
    [body] = await messages(sessions)
    assert "Before: Billed yearly. After: Billed monthly." in body


async def test_prices_fire_only_on_moves_of_at_least_the_threshold(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace, site: Site
) -> None:
    site.pages = {"/pricing": pricing("$1,299.00")}
    url = f"{site.url}/pricing"
    spec = watch_spec([url], watch="prices", min_change_percent=5)
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        await runtime.fire(workflow.id)
        stored = (await snapshots(sessions))[url].prices
        assert [(p["currency"], p["amount"]) for p in stored] == [("USD", 1299.0), ("GBP", 9.0)]
        site.pages["/pricing"] = pricing("$1,299.00", note="Now with support.")
        await runtime.fire(workflow.id)  # words moved, prices did not
        assert await runs_of(sessions, workflow.id) == []
        site.pages["/pricing"] = pricing("$1,259.00")  # down 3.1%: below 5%
        await runtime.fire(workflow.id)
        assert await runs_of(sessions, workflow.id) == []
        assert (await snapshots(sessions))[url].prices[0]["amount"] == 1299.0  # still the base
        site.pages["/pricing"] = pricing("$1,199.00")  # down 7.7% from the baseline
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert len(runs) == 1
        data = runs[0].trigger_payload
        assert data["changes"] == [
            {"before": "$1,299.00", "after": "$1,199.00", "currency": "USD", "percent": -7.7}
        ]
        assert (data["before"], data["after"]) == ("$1,299.00", "$1,199.00")
        assert "$1,299.00 is now $1,199.00 (down 7.7%)" in data["summary"]
    finally:
        await runtime.close()


async def test_a_watch_of_price_drops_stays_quiet_on_rises_and_measures_from_the_last_told(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace, site: Site
) -> None:
    site.pages = {"/pricing": pricing("$100.00")}
    url = f"{site.url}/pricing"
    spec = watch_spec([url], watch="prices", price_moves="down")
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        await runtime.fire(workflow.id)  # the baseline
        site.pages["/pricing"] = pricing("$120.00")  # a rise: no news for a drop watch
        await runtime.fire(workflow.id)
        assert await runs_of(sessions, workflow.id) == []
        site.pages["/pricing"] = pricing("$110.00", team="£12")  # still above $100; £9 → £12 up
        await runtime.fire(workflow.id)
        assert await runs_of(sessions, workflow.id) == []
        site.pages["/pricing"] = pricing("$95.00", team="£12")  # below the $100 last told of
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert len(runs) == 1
        data = runs[0].trigger_payload
        assert data["changes"] == [
            {"before": "$100.00", "after": "$95.00", "currency": "USD", "percent": -5.0}
        ]  # the £9 → £12 rise is not in it
        assert "$100.00 is now $95.00 (down 5%)" in data["summary"]
    finally:
        await runtime.close()
    assert len(await messages(sessions)) == 1


async def test_a_page_that_cannot_be_read_keeps_its_snapshot(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace, site: Site
) -> None:
    site.pages = {"/pricing": pricing("$49.00"), "/plans": pricing("$10.00")}
    urls = [f"{site.url}/pricing", f"{site.url}/plans"]
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, watch_spec(urls), runtime.registry)
        await runtime.fire(workflow.id)
        before = (await snapshots(sessions))[urls[0]]
        site.status["/pricing"] = 503  # a passing problem: the next poll tries again
        site.pages["/plans"] = pricing("$12.00")
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert [r.trigger_payload["url"] for r in runs] == [urls[1]]  # the other page still fires
        assert (await snapshots(sessions))[urls[0]].digest == before.digest
        site.status["/pricing"] = 404  # gone: said once per poll, as a failed run
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert [r.status for r in runs] == [RunStatus.succeeded, RunStatus.failed]
        error = runs[1].error or ""
        assert error.startswith("Could not read 1 of the 2 pages to look for changes:")
        assert f"{urls[0]} (the page answered 404)" in error
        site.status.clear()
        site.pages["/pricing"] = pricing("$59.00")  # back, and compared with the kept snapshot
        await runtime.fire(workflow.id)
        runs = await runs_of(sessions, workflow.id)
        assert len(runs) == 3
        assert runs[2].trigger_payload["changes"] == [
            {"before": "Pro plan $49.00 per year", "after": "Pro plan $59.00 per year"}
        ]
    finally:
        await runtime.close()


async def test_deleting_the_workflow_removes_its_snapshots(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace, site: Site
) -> None:
    site.pages = {"/pricing": pricing("$49.00")}
    runtime = Runtime(settings)
    try:
        spec = watch_spec([f"{site.url}/pricing"])
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        await runtime.fire(workflow.id)
        assert len(await snapshots(sessions)) == 1
        async with sessions() as session:
            owner = await owner_of(session, workspace)
            tenant = Tenant(session, workspace.id)
            await service.delete_workflow(tenant, workflow.id, owner, confirmed=True)
            await session.commit()
        assert await snapshots(sessions) == {}
    finally:
        await runtime.close()
