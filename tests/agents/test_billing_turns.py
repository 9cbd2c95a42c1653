"""The assistant about Levqor's own plan: plan and usage answered from the workspace's billing,
"upgrade my Levqor plan" sent to the Billing page and never drafted as a workflow."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import subscriptions
from accounts.billing import summary
from accounts.plans import BY_KEY
from agents.intents import classify
from bot.billing_hooks import install_billing
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Approval, Role, Run, UsageCount, Workflow, WorkflowStatus, Workspace
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member
from tests.bot.api.test_billing_limits import HELLO, on_plan, use_runs
from tests.workflows.helpers import activate


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("upgrade my Levqor plan to Scale", "billing"),
        ("what plan am I on?", "billing"),
        ("how much have we used this month?", "billing"),
        ("how many days are left in my trial?", "billing"),
        ("switch us to agency", "billing"),
        ("when a customer upgrades their plan, email me", "draft"),
    ],
)
def test_billing_intents(text: str, kind: str) -> None:
    assert classify(text).kind == kind


async def test_plan_and_usage_answered_and_upgrade_routed_to_billing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscriptions.start_trial(session, ws)
        await session.commit()
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        install_billing(assistant.runtime)
        reply = await assistant.send(thread, "what plan am I on and how much have I used?")
        assert "You are on Growth (free trial), 7 days left in your free trial" in reply.text
        assert "runs this period: 0 of 5,000" in reply.text
        reply = await assistant.send(thread, "upgrade my Levqor plan to Scale")
        assert "To change your Levqor plan to Scale, an owner chooses it on the Billing page" in (
            reply.text
        )
        assert "/billing" in reply.text and reply.draft is None and reply.approval is None
    async with sessions() as session:
        assert (await session.exec(select(Workflow))).all() == []
        assert (await session.exec(select(Approval))).all() == []


async def test_ai_drafts_are_counted_and_stop_at_the_plan_limit(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscription = subscriptions.start_trial(session, ws)
        subscription.plan = "launch"  # 30 AI drafts a month
        session.add(
            UsageCount(
                workspace_id=ws.id,
                metric="ai_draft",
                period_start=subscription.period_start,
                count=29,
            )
        )
        await session.commit()
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        install_billing(assistant.runtime)
        reply = await assistant.send(uuid.uuid4().hex, "every monday at 9am post hello to #team")
        assert reply.draft is not None
        reply = await assistant.send(uuid.uuid4().hex, "every friday at 5pm post bye to #team")
        assert reply.draft is None
        assert "Your Launch plan allows 30 AI drafts this month" in reply.text
        assert "Billing page" in reply.text
    async with sessions() as session:
        state = await summary(session, workspace.id)
    assert next(m.used for m in state.meters if m.key == "ai_drafts") == 30


async def test_sending_a_draft_over_the_active_workflow_limit_says_so(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with sessions() as session:
        ws = await session.get(Workspace, workspace.id)
        assert ws is not None
        subscriptions.start_trial(session, ws).plan = "launch"  # 3 active workflows
        for n in range(3):
            session.add(
                Workflow(
                    workspace_id=ws.id,
                    name=f"W{n}",
                    status=WorkflowStatus.active,
                    webhook_secret="s",
                )
            )
        await session.commit()
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        install_billing(assistant.runtime)
        reply = await assistant.send(thread, "every monday at 9am post hello to #team")
        assert reply.draft is not None
        reply = await assistant.send(thread, "submit it")
        assert reply.approval is None
        assert "Your Launch plan allows 3 active workflows" in reply.text
    async with sessions() as session:
        assert len((await session.exec(select(Workflow))).all()) == 3


async def test_run_now_in_chat_over_the_months_runs_says_why_and_starts_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    await on_plan(sessions, workspace, "launch")
    hello = await activate(sessions, workspace, HELLO, default_registry())
    allowed = BY_KEY["launch"].runs_per_month or 0
    await use_runs(sessions, hello.id, allowed)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        install_billing(assistant.runtime)
        reply = await assistant.send(thread, f"run {hello.name} now")
        assert f"Launch plan allows {allowed} runs this month" in reply.text
        assert "/billing" in reply.text and reply.run_id is None
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(Run.workflow_id == hello.id))).all()
    assert len(runs) == allowed
