"""Slack's `/levqor <words>` drafting is held to the plan: over the AI drafts a month, or over the
active workflows, the user is told why in a sentence with the Billing link and nothing is made.
Within the limits a draft is counted."""

from __future__ import annotations

from sqlmodel import select

from accounts import subscriptions
from accounts.plans import BY_KEY
from integrations.catalog import default_registry
from storage.models import UsageCount, Workflow, Workspace
from tests.bot.api.test_billing_limits import HELLO
from tests.bot.slack.conftest import SlackLive
from tests.workflows.helpers import activate

ASK = "every Monday 9am post last week's new leads to #sales"


async def launch_plan(live: SlackLive, drafts_used: int) -> None:
    async with live.runtime.sessions() as session:
        ws = await session.get(Workspace, live.workspace.id)
        assert ws is not None
        trial = subscriptions.start_trial(session, ws)
        trial.plan = "launch"
        session.add(
            UsageCount(
                workspace_id=ws.id,
                metric="ai_draft",
                period_start=trial.period_start,
                count=drafts_used,
            )
        )
        await session.commit()


async def workflows(live: SlackLive) -> list[Workflow]:
    async with live.runtime.sessions() as session:
        return list((await session.exec(select(Workflow))).all())


async def test_a_draft_over_the_ai_drafts_a_month_is_refused_with_the_billing_link(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    allowed = BY_KEY["launch"].ai_drafts_per_month or 0
    await launch_plan(live, allowed)
    await live.slack.warm()
    response, key = await live.slack.command(ASK)
    assert response.status_code == 200
    said = (await live.slack.wait_response(key))["text"]
    assert f"Your Launch plan allows {allowed} AI drafts this month" in said
    assert "https://levqor.example/billing" in said
    assert await workflows(live) == []


async def test_a_draft_over_the_active_workflows_is_refused_and_one_within_is_counted(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await launch_plan(live, 0)
    await live.slack.warm()
    for n in range(BY_KEY["launch"].active_workflows or 0):
        await activate(live.runtime.sessions, live.workspace, {**HELLO, "name": f"Hello {n}"},
                       default_registry())  # fmt: skip
    _, key = await live.slack.command(ASK)
    said = (await live.slack.wait_response(key))["text"]
    assert "Your Launch plan allows 3 active workflows" in said
    assert "Upgrade at https://levqor.example/billing" in said
    assert len(await workflows(live)) == 3
    async with live.runtime.sessions() as session:
        [used] = (await session.exec(select(UsageCount))).all()
    assert used.count == 1  # the draft itself was admitted and counted
