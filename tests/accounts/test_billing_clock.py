"""Billing over time with an injected clock: trial reminders 3 days and 1 day before (by email,
once each), the trial's end turns the workspace read-only with its workflows paused."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import limits, subscriptions
from accounts.billing_clock import tick
from storage.config import Settings
from storage.models import (
    OutboxMessage,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    Subscription,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
    Workspace,
)
from storage.types import utcnow


async def test_trial_reminders_once_each_then_read_only_at_the_end(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    start = utcnow()
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscriptions.start_trial(session, ws, now=start)
        flow = Workflow(
            workspace_id=ws.id, name="Daily", status=WorkflowStatus.active, webhook_secret="s"
        )
        session.add(flow)
        await session.commit()
        flow_id = flow.id

    async with httpx.AsyncClient() as http:
        early = await tick(settings, sessions, http, now=start + timedelta(days=3))
        three = await tick(settings, sessions, http, now=start + timedelta(days=4, hours=1))
        again = await tick(settings, sessions, http, now=start + timedelta(days=4, hours=2))
        one = await tick(settings, sessions, http, now=start + timedelta(days=6, hours=1))
        end = await tick(settings, sessions, http, now=start + timedelta(days=7, seconds=1))

    assert early.reminders == [] and again.reminders == [] and end.reminders == []
    assert [r.kind for r in three.reminders] == ["trial_3d"]
    assert [r.kind for r in one.reminders] == ["trial_1d"]
    assert [w.id for w in end.paused] == [flow_id]
    async with sessions() as session:
        mails = (await session.exec(select(OutboxMessage))).all()
        row = (await session.exec(select(Subscription))).one()
        paused = await session.get(Workflow, flow_id)
        refusal = await limits.check(session, workspace.id, "run")
    assert sorted(m.subject or "" for m in mails) == [
        "Your Levqor trial ends in 1 day",
        "Your Levqor trial ends in 3 days",
    ]
    assert {m.target for m in mails} == {"owner@example.com"}
    assert "read-only" in mails[0].body and "/billing" in mails[0].body
    assert row.status == "read_only" and row.paused_workflows == [flow_id]
    assert paused is not None and paused.status == WorkflowStatus.paused
    assert refusal is not None and refusal.reason == "read_only"


async def test_run_history_is_kept_as_long_as_the_plan_says(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    now = utcnow()
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscriptions.start_trial(session, ws, now=now).plan = "launch"  # 14 days of history
        unmetered = Workspace(slug="self-hosted", name="Self hosted")
        session.add(unmetered)
        await session.flush()
        ages: dict[str, int] = {}
        for owner in (ws, unmetered):
            flow = Workflow(workspace_id=owner.id, name="F", webhook_secret="s")
            session.add(flow)
            await session.flush()
            version = WorkflowVersion(
                workspace_id=owner.id, workflow_id=flow.id, version=1, approval_class="A"
            )
            session.add(version)
            await session.flush()
            for days, status in (
                (20, RunStatus.succeeded),
                (10, RunStatus.failed),
                (30, RunStatus.waiting),
            ):
                run = Run(
                    workspace_id=owner.id,
                    workflow_id=flow.id,
                    version_id=version.id,
                    trigger_type="manual",
                    status=status,
                    created_at=now - timedelta(days=days),
                )
                session.add(run)
                await session.flush()
                session.add(
                    StepRun(
                        workspace_id=owner.id,
                        run_id=run.id,
                        step_id="a",
                        position=0,
                        action="slack.post_message",
                        idempotency_key=f"{run.id}:a",
                    )
                )
                session.add(RunEvent(workspace_id=owner.id, run_id=run.id, kind="note"))
                ages[run.id] = days if owner is ws else -days
        await session.commit()
    async with httpx.AsyncClient() as http:
        done = await tick(settings, sessions, http, now=now)
    assert done.pruned == 1
    async with sessions() as session:
        left = {r.id for r in (await session.exec(select(Run))).all()}
        steps = {s.run_id for s in (await session.exec(select(StepRun))).all()}
        events = {e.run_id for e in (await session.exec(select(RunEvent))).all()}
    gone = {run_id for run_id, days in ages.items() if days == 20}
    assert left == set(ages) - gone and steps == left and events == left
