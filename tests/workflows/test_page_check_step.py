"""A check of web pages on a schedule (`http.check_pages`): each scheduled run looks at the pages
served on loopback; the first records them, an unchanged page says nothing (the message step is
skipped), a price move at or over the threshold is posted with before and after. A try looks but
records nothing. And the planner drafts such a check for a request that names a clock."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.planner import draft
from integrations.base import ActionContext, ActionError
from integrations.page_checks import CheckPagesInput
from storage.config import Settings
from storage.models import RunStatus, Workspace
from tests.workflows.helpers import activate
from tests.workflows.test_page_poll_trigger import (  # noqa: F401 (the loopback site fixture)
    Site,
    messages,
    pricing,
    runs_of,
    site,
    snapshots,
)
from workflows.runtime import Runtime


def check_spec(pages: list[str], **check: Any) -> dict[str, Any]:
    return {
        "name": "Competitor prices each morning",
        "trigger": {"type": "schedule", "cron": "0 8 * * *", "timezone": "UTC"},
        "steps": [
            {"id": "check_pages", "action": "http.check_pages",
             "inputs": {"pages": pages, **check}},
            {"id": "tell_pricing", "action": "slack.post_message",
             "when": "steps.check_pages.changed",
             "inputs": {"channel": "#pricing",
                        "text": "{{ steps.check_pages.summary }} Before: "
                                "{{ steps.check_pages.before }} After: "
                                "{{ steps.check_pages.after }}"}},
        ],
    }  # fmt: skip


async def test_a_scheduled_check_posts_only_price_moves_over_the_threshold(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    site: Site,  # noqa: F811
) -> None:
    site.pages = {"/pricing": pricing("$100.00")}
    url = f"{site.url}/pricing"
    runtime = Runtime(settings)
    try:
        spec = check_spec([url], watch="prices", min_change_percent=5)
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        await runtime.fire(workflow.id)  # first look: recorded, nothing said
        await runtime.drain()
        assert url in await snapshots(sessions)
        site.pages["/pricing"] = pricing("$103.00")  # 3%: under the threshold
        await runtime.fire(workflow.id)
        await runtime.drain()
        site.pages["/pricing"] = pricing("$110.00")  # 10% from the baseline of $100
        await runtime.fire(workflow.id)
        await runtime.drain()
        runs = await runs_of(sessions, workflow.id)
    finally:
        await runtime.close()
    assert [r.status for r in runs] == [RunStatus.succeeded] * 3  # every check ran and ended
    [body] = await messages(sessions)  # only the 10% move was posted
    assert "$100.00 is now $110.00 (up 10%)" in body, body
    assert "Before:" in body and "$110.00" in body


async def test_a_scheduled_check_of_rises_posts_no_drop(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    site: Site,  # noqa: F811
) -> None:
    site.pages = {"/pricing": pricing("$100.00")}
    url = f"{site.url}/pricing"
    runtime = Runtime(settings)
    try:
        spec = check_spec([url], watch="prices", price_moves="up")
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        for price in ("$100.00", "$80.00", "$90.00", "$104.00"):  # baseline, 2 drops, a rise
            site.pages["/pricing"] = pricing(price)
            await runtime.fire(workflow.id)
            await runtime.drain()
        runs = await runs_of(sessions, workflow.id)
    finally:
        await runtime.close()
    assert [r.status for r in runs] == [RunStatus.succeeded] * 4
    [body] = await messages(sessions)  # the drops said nothing; the rise over $100 was posted
    assert "$100.00 is now $104.00 (up 4%)" in body, body


async def test_a_try_looks_but_records_nothing(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    site: Site,  # noqa: F811
) -> None:
    site.pages = {"/plans": pricing("$10.00")}
    url = f"{site.url}/plans"
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, check_spec([url]), runtime.registry)
        ctx = step_context(settings, sessions, runtime, workspace, workflow.id, dry_run=True)
        output = await runtime.registry.get("http.check_pages").run(ctx, {"pages": [url]})
    finally:
        await runtime.close()
    assert output.changed is False and output.count == 0
    assert await snapshots(sessions) == {}  # a try records no baseline
    assert site.hits == ["/plans"]


def step_context(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    runtime: Runtime,
    workspace: Workspace,
    workflow_id: str,
    *,
    dry_run: bool,
) -> ActionContext:
    return ActionContext(
        settings=settings,
        sessions=sessions,
        http=runtime.http,
        workspace_id=workspace.id,
        workflow_id=workflow_id,
        run_id="r1",
        step_id="check_pages",
        idempotency_key="r1:check_pages",
        dry_run=dry_run,
    )


async def test_a_page_that_cannot_be_read_is_listed_and_when_none_can_the_step_fails(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    site: Site,  # noqa: F811
) -> None:
    site.pages = {"/plans": pricing("$10.00")}
    site.status = {"/gone": 404}
    plans, gone = f"{site.url}/plans", f"{site.url}/gone"
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, check_spec([plans]), runtime.registry)
        ctx = step_context(settings, sessions, runtime, workspace, workflow.id, dry_run=False)
        check = runtime.registry.get("http.check_pages")
        output = await check.run(ctx, {"pages": [plans, gone]})
        with pytest.raises(ActionError, match="the page answered 404"):
            await check.run(ctx, {"pages": [gone]})
    finally:
        await runtime.close()
    assert output.changed is False
    assert output.failed_pages == [f"{gone}: the page answered 404"]
    assert set(await snapshots(sessions)) == {plans}  # the page read is the baseline


def test_a_request_naming_a_clock_is_drafted_as_a_scheduled_check_of_the_pages() -> None:
    result = draft(
        "every weekday at 7 look at https://rival.com/plans and email me if a price moved "
        "more than 10%"
    )
    assert result.status == "draft" and result.workflow is not None, result
    assert result.workflow["trigger"]["cron"] == "0 7 * * 1-5"
    check, *rest = result.workflow["steps"]
    assert check["action"] == "http.check_pages"
    assert check["inputs"] == {
        "pages": ["https://rival.com/plans"],
        "watch": "prices",
        "min_change_percent": 10.0,
    }
    assert [s["when"] for s in rest] == ["steps.check_pages.changed"]
    assert "only if a page changed" in (result.summary or ""), result.summary


def test_a_check_of_drops_or_rises_is_only_for_prices() -> None:
    with pytest.raises(ValidationError, match="price_moves is for watching prices"):
        CheckPagesInput(pages=["https://rival.io/plans"], watch="text", price_moves="down")
    checked = CheckPagesInput(pages=["https://rival.io/plans"], watch="prices", price_moves="up")
    assert checked.price_moves == "up"
