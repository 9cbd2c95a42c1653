"""Options the assistant offers in a Slack thread are buttons; a click says the choice there."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from storage.models import Member, Role, Workflow, WorkflowStatus
from storage.scope import Tenant
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import button_values
from workflows import service

THREAD = "1700000400.000100"


def weekly(name: str, channel: str) -> dict[str, object]:
    """An active weekly report posting to `channel`."""
    return {
        "name": name,
        "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
        "steps": [{"id": "post", "action": "slack.post_message",
                   "inputs": {"channel": channel, "text": "the week"}}],
    }  # fmt: skip


async def active(live: SlackLive, name: str, channel: str) -> Workflow:
    """Store a weekly report and approve it as the workspace's admin."""
    async with live.runtime.sessions() as session:
        tenant = Tenant(session, live.workspace.id)
        query = select(Member).where(Member.workspace_id == live.workspace.id)
        admin = (await session.exec(query.where(Member.role == Role.admin))).one()
        spec = service.parse_spec(weekly(name, channel), live.runtime.registry)
        proposal = await service.create_workflow(tenant, spec, live.runtime.registry, None)
        await service.decide(tenant, proposal.approval.id, admin, approve=True)
        await session.commit()
        return proposal.workflow


async def test_a_which_one_question_offers_buttons_and_a_click_answers_it(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    sales = await active(live, "Weekly report: sales", "#sales")
    ops = await active(live, "Weekly report: ops", "#ops")

    inner = {"text": "<@UBOT> pause the weekly report", "ts": THREAD, "user": "UOWNER"}
    response = await live.slack.event("event_app_mention", event_id="EvChoice1", inner=inner)
    assert response.status_code == 200
    [question] = await live.slack.wait_for("chat.postMessage")
    assert (
        question.args["thread_ts"] == THREAD and question.args["text"] == "Which one do you mean?"
    )
    offered = button_values(question.args["blocks"])
    assert sorted(offered.values()) == [ops.name, sales.name]
    action = next(a for a, name in offered.items() if name == ops.name)
    assert action.startswith(ids.CHOICE)

    asked_ts = "1700000400.000200"  # the question's own message, inside the thread
    await live.slack.click(
        action, ops.name, message_ts=asked_ts, thread_ts=THREAD, channel="C0SALES"
    )
    [picked] = await live.slack.wait_for("chat.update")
    assert picked.args["ts"] == asked_ts and button_values(picked.args["blocks"]) == {}
    assert f"<@UOWNER> chose: {ops.name}" in str(picked.args["blocks"])
    replies = await live.slack.wait_for("chat.postMessage", count=2)
    assert replies[-1].args["thread_ts"] == THREAD
    assert replies[-1].args["text"] == f"{ops.name} is now paused."
    async with live.runtime.sessions() as session:
        statuses = {w.name: w.status for w in (await session.exec(select(Workflow))).all()}
    assert statuses == {ops.name: WorkflowStatus.paused, sales.name: WorkflowStatus.active}
