"""Plan limits where work is admitted: REST (402 + reason), the webhook hub (acknowledged and
recorded as skipped), the scheduler, and the trial's end (read-only, data kept, then restored)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import subscriptions
from accounts.plans import BY_KEY
from storage.models import AuditLog, Role, Run, RunStatus, Subscription, Workflow, Workspace
from storage.types import utcnow
from tests.bot.conftest import Live

HELLO: dict[str, Any] = {
    "name": "Hello",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "hi"}}
    ],
}
HOOKED: dict[str, Any] = {**HELLO, "name": "Hooked", "trigger": {"type": "webhook"}}


async def on_plan(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, plan: str, **values: Any
) -> None:
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscription = subscriptions.start_trial(session, ws)
        subscription.plan = plan
        for key, value in values.items():
            setattr(subscription, key, value)
        await session.commit()


async def active_workflow(live: Live, spec: dict[str, Any]) -> dict[str, Any]:
    created = await live.as_(Role.operator).post("/api/workflows", json={"spec": spec})
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    approved = await live.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert approved.json()["status"] == "active", approved.text
    result: dict[str, Any] = approved.json()
    return result


async def use_runs(
    sessions: async_sessionmaker[AsyncSession], workflow_id: str, count: int
) -> None:
    """Record `count` finished runs this period, as if they had happened."""
    async with sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
        assert workflow is not None
        run = (await session.exec(select(Run).where(Run.workflow_id == workflow_id))).first()
        version_id = run.version_id if run else None
        if version_id is None:
            from storage.models import WorkflowVersion

            version = (
                await session.exec(
                    select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id)
                )
            ).first()
            assert version is not None
            version_id = version.id
        for _ in range(count):
            session.add(
                Run(
                    workspace_id=workflow.workspace_id,
                    workflow_id=workflow_id,
                    version_id=version_id,
                    trigger_type="manual",
                    status=RunStatus.succeeded,
                )
            )
        await session.commit()


async def test_billing_api_reports_the_trial_plan_and_usage(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    unmetered = (await live.as_().get("/api/billing")).json()
    assert unmetered["metered"] is False and unmetered["status"] == "unmetered"
    await on_plan(sessions, workspace, "growth")
    await active_workflow(live, HELLO)
    body = (await live.as_(Role.viewer).get("/api/billing")).json()
    assert body["status"] == "trialing" and body["plan"] == "growth"
    assert body["trial_days_left"] == 7 and body["trial_ends_at"]
    assert body["usage"]["workflows"] == 1 and body["usage"]["runs"] == 0
    assert body["limits"]["runs"] == BY_KEY["growth"].runs_per_month
    assert body["limits"]["support"] == "Answer within 24 hours"


async def test_run_quota_refuses_rest_skips_webhook_and_schedule_then_resets(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await on_plan(sessions, workspace, "launch")
    manual = await active_workflow(live, HELLO)
    hooked = await active_workflow(live, HOOKED)
    await use_runs(sessions, manual["id"], BY_KEY["launch"].runs_per_month or 0)

    refused = await live.as_(Role.operator).post(f"/api/workflows/{manual['id']}/run")
    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "runs_limit" and error["details"]["reason"] == "runs_limit"
    assert error["details"]["upgrade_url"] == "/billing"
    assert "Launch plan allows 500 runs" in error["message"]

    path = hooked["webhook_url"].split("://", 1)[1].split("/", 1)[1]
    delivery = await live.as_().post(f"/{path}", json={"lead": "dana@example.com"})
    assert delivery.status_code == 202, delivery.text
    assert "run_id" not in delivery.json() and "500 runs" in delivery.json()["skipped"]

    await live.runtime.fire(manual["id"])  # the scheduler's call

    async with sessions() as session:
        hooked_runs = (await session.exec(select(Run).where(Run.workflow_id == hooked["id"]))).all()
        manual_runs = (await session.exec(select(Run).where(Run.workflow_id == manual["id"]))).all()
        skipped = (
            await session.exec(select(AuditLog).where(AuditLog.action == "webhook.skipped"))
        ).all()
    assert hooked_runs == [] and len(manual_runs) == 500
    assert [s.subject for s in skipped] == [hooked["id"]] and "500 runs" in skipped[0].detail[
        "reason"
    ]

    async with sessions() as session:  # the period renews: usage starts again from zero
        subscription = (await session.exec(select(Subscription))).one()
        subscription.period_start = utcnow()
        await session.commit()
    again = await live.as_(Role.operator).post(f"/api/workflows/{manual['id']}/run")
    assert again.status_code == 202, again.text
    assert (await live.as_().get("/api/billing")).json()["usage"]["runs"] == 1


async def test_active_workflow_limit_refuses_a_new_workflow_and_a_resume(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await on_plan(sessions, workspace, "launch")
    first = await active_workflow(live, HELLO)
    paused = await live.as_(Role.operator).post(f"/api/workflows/{first['id']}/pause")
    assert paused.status_code == 200
    for n in range(3):
        await active_workflow(live, {**HELLO, "name": f"Hello {n}"})
    over = await live.as_(Role.operator).post("/api/workflows", json={"spec": HELLO})
    assert over.status_code == 402 and over.json()["error"]["code"] == "workflows_limit"
    resume = await live.as_(Role.operator).post(f"/api/workflows/{first['id']}/resume")
    assert resume.status_code == 402 and resume.json()["error"]["code"] == "workflows_limit"
    async with sessions() as session:
        assert len((await session.exec(select(Workflow))).all()) == 4  # nothing lost, nothing added


async def test_trial_end_makes_the_workspace_read_only_and_paying_restores_it(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await on_plan(sessions, workspace, "growth")
    flow = await active_workflow(live, HELLO)
    async with sessions() as session:
        subscription = (await session.exec(select(Subscription))).one()
        subscription.trial_ends_at = utcnow() - timedelta(minutes=1)
        await session.commit()
    refused = await live.as_(Role.operator).post(f"/api/workflows/{flow['id']}/run")
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "read_only"
    assert "data is kept" in refused.json()["error"]["message"]
    async with sessions() as session:
        paused = await subscriptions.settle(session)
        await session.commit()
    assert [w.id for w in paused] == [flow["id"]]
    body = (await live.as_().get("/api/billing")).json()
    assert body["status"] == "read_only"
    assert (await live.as_().get(f"/api/workflows/{flow['id']}")).json()["status"] == "paused"
    async with sessions() as session:
        subscription = (await session.exec(select(Subscription))).one()
        subscription.status = "active"
        resumed = await subscriptions.restore(session, subscription)
        await session.commit()
    assert [w.id for w in resumed] == [flow["id"]]
    run = await live.as_(Role.operator).post(f"/api/workflows/{flow['id']}/run")
    assert run.status_code == 202, run.text


async def test_a_delivery_reads_the_plan_with_the_workflow_and_still_sees_it_end(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    """The subscription comes with the hub's one read of workflow and workspace (no query of
    its own per delivery), and a trial that has just ended refuses the very next delivery."""
    await on_plan(sessions, workspace, "launch")
    hooked = await active_workflow(live, HOOKED)
    path = hooked["webhook_url"].split("://", 1)[1].split("/", 1)[1]
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(live.runtime.db.sync_engine, "before_cursor_execute", seen)
    try:
        delivered = await live.as_().post(f"/{path}", json={"n": 1})
    finally:
        event.remove(live.runtime.db.sync_engine, "before_cursor_execute", seen)
    assert delivered.status_code == 202 and delivered.json()["run_id"], delivered.text
    own = [s for s in statements if s.startswith("SELECT") and " FROM subscription " in s]
    assert own == [], own

    async with sessions() as session:  # the trial ends (another process's sweep, say)
        subscription = (await session.exec(select(Subscription))).one()
        subscription.trial_ends_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    refused = await live.as_().post(f"/{path}", json={"n": 2})
    assert refused.status_code == 202 and "run_id" not in refused.json(), refused.text
    assert "read-only" in refused.json()["skipped"]
