"""Web pages held to the plan: exporting on a plan without exports shows the plan-limit page with
the way to upgrade (not a role refusal), and "Run now" over the month's runs says why and
starts nothing."""

from __future__ import annotations

from sqlmodel import select

from accounts.plans import BY_KEY
from storage.models import Run, RunStatus, Workspace
from tests.bot.api.test_billing_limits import HELLO, on_plan, use_runs
from tests.web.conftest import Web, page_csrf, sign_up_client
from tests.web.test_health_page import new_workflow, workspace_of

PAGE = {"accept": "text/html"}


async def signed_up_on(web: Web, plan: str) -> tuple[Workspace, str]:
    workspace_id = await workspace_of(web, "olivia@acme.example")
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
    await on_plan(web.runtime.sessions, workspace, plan)
    return workspace, workspace_id


async def test_export_on_a_plan_without_exports_shows_the_upgrade_page(web: Web) -> None:
    client = await sign_up_client(web)
    await signed_up_on(web, "launch")
    token = await page_csrf(client, "/workspace")
    refused = await client.post("/workspace/export", data={"csrf_token": token}, headers=PAGE)
    assert refused.status_code == 402
    assert "Plan limit reached" in refused.text
    assert "Exports come with the Growth plan and up." in refused.text
    assert 'href="/billing"' in refused.text
    await client.aclose()


async def test_run_now_over_the_months_runs_says_why_and_starts_nothing(web: Web) -> None:
    client = await sign_up_client(web)
    _, workspace_id = await signed_up_on(web, "launch")
    workflow = await new_workflow(web, workspace_id, HELLO)
    allowed = BY_KEY["launch"].runs_per_month or 0
    await use_runs(web.runtime.sessions, workflow.id, allowed)
    token = await page_csrf(client)
    answer = await client.post(
        f"/workflows/{workflow.id}/run",
        data={"csrf_token": token},
        headers={"x-requested-with": "fetch"},
    )
    assert answer.status_code == 402  # as the API answers: the reason for machines
    error = answer.json()["error"]
    assert error["code"] == "runs_limit" and error["details"]["reason"] == "runs_limit"
    assert error["details"]["upgrade_url"] == "/billing"
    message = error["message"]
    assert f"Launch plan allows {allowed} runs this month" in message and "Billing" in message
    page = await client.post(
        f"/workflows/{workflow.id}/run", data={"csrf_token": token}, headers=PAGE
    )  # the form without our script: the plan-limit page with the way to upgrade
    assert page.status_code == 402 and "Plan limit reached" in page.text
    assert f"Launch plan allows {allowed} runs this month" in page.text
    assert 'href="/billing"' in page.text
    async with web.runtime.sessions() as session:
        runs = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).all()
    assert len(runs) == allowed
    await client.aclose()


async def test_retrying_a_failed_run_over_the_months_runs_is_refused_like_any_run(
    web: Web,
) -> None:
    client = await sign_up_client(web)
    _, workspace_id = await signed_up_on(web, "launch")
    workflow = await new_workflow(web, workspace_id, HELLO)
    allowed = BY_KEY["launch"].runs_per_month or 0
    await use_runs(web.runtime.sessions, workflow.id, allowed)
    async with web.runtime.sessions() as session:
        failed = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).first()
        assert failed is not None
        failed.status, failed.error = RunStatus.failed, "the partner did not answer"
        await session.commit()
    token = await page_csrf(client, f"/runs/{failed.id}")
    refused = await client.post(
        f"/runs/{failed.id}/retry", data={"csrf_token": token}, headers=PAGE
    )
    assert refused.status_code == 402 and "Plan limit reached" in refused.text
    assert f"Launch plan allows {allowed} runs this month" in refused.text
    assert 'href="/billing"' in refused.text
    async with web.runtime.sessions() as session:
        runs = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).all()
    assert len(runs) == allowed
    await client.aclose()


async def test_resuming_over_the_active_workflows_limit_answers_402_with_the_reason(
    web: Web,
) -> None:
    client = await sign_up_client(web)
    _, workspace_id = await signed_up_on(web, "launch")
    allowed = BY_KEY["launch"].active_workflows or 0
    made = [await new_workflow(web, workspace_id, HELLO) for _ in range(allowed)]
    token = await page_csrf(client)
    fetch = {"x-requested-with": "fetch"}
    paused = await client.post(
        f"/workflows/{made[0].id}/pause", data={"csrf_token": token}, headers=fetch
    )
    assert paused.status_code == 200, paused.text
    await new_workflow(web, workspace_id, HELLO)  # the freed place is taken again
    resumed = await client.post(
        f"/workflows/{made[0].id}/resume", data={"csrf_token": token}, headers=fetch
    )
    assert resumed.status_code == 402
    error = resumed.json()["error"]
    assert error["code"] == "workflows_limit" and error["details"]["reason"] == "workflows_limit"
    assert "Billing" in error["message"]
    await client.aclose()
