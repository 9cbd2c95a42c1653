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
from storage.models import OutboxMessage, Subscription, Workflow, WorkflowStatus, Workspace
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
