"""Slack: a run over the plan's monthly quota is refused with a plain sentence and the way to
the Billing page; nothing runs."""

from __future__ import annotations

from sqlmodel import select

from accounts import subscriptions
from bot.slack import ids
from integrations.catalog import default_registry
from storage.models import Run, Workspace
from tests.bot.api.test_billing_limits import HELLO, use_runs
from tests.bot.slack.conftest import SlackLive
from tests.workflows.helpers import activate


async def test_run_now_over_the_quota_says_why_and_where_to_upgrade(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    sessions = live.runtime.sessions
    async with sessions() as session:
        ws = await session.get(Workspace, live.workspace.id)
        assert ws is not None
        subscriptions.start_trial(session, ws).plan = "launch"
        await session.commit()
    await live.slack.warm()
    workflow = await activate(sessions, live.workspace, HELLO, default_registry())
    await use_runs(sessions, workflow.id, 500)
    await live.slack.click(ids.RUN_WORKFLOW, workflow.id, user="UOPER", channel=None)
    [dm] = await live.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "UOPER"
    assert "Your Launch plan allows 500 runs this month" in dm.args["text"]
    assert "Billing page" in dm.args["text"]
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).all()
    assert len(runs) == 500
