"""A Slack thread is one assistant conversation: draft, revise, submit and approve in the thread."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Workflow, WorkflowStatus
from tests.bot.slack.conftest import SlackLive

THREAD = "1700000300.000100"


async def say(live: SlackLive, n: int, text: str, user: str = "UOPER") -> str:
    """Mention the app in the thread as `user` and return the reply posted in that thread."""
    before = len(live.slack.fake.calls("chat.postMessage"))
    ts = f"1700000300.{n:06d}"
    inner = {"text": f"<@UBOT> {text}", "ts": ts, "thread_ts": THREAD, "user": user}
    response = await live.slack.event("event_app_mention", event_id=f"EvThread{n}", inner=inner)
    assert response.status_code == 200
    replies = await live.slack.wait_for("chat.postMessage", count=before + 1)
    reply = replies[-1]
    assert reply.args["thread_ts"] == THREAD
    return str(reply.args["text"])


async def test_a_thread_carries_the_conversation(live_slack: SlackLive) -> None:
    live = live_slack
    drafted = await say(live, 1, "every day at 8am post the sales summary to #sales")
    assert "08:00" in drafted
    revised = await say(live, 2, "make it 9am London time")
    assert "09:00" in revised and "London" in revised
    submitted = await say(live, 3, "looks good")
    assert "approve" in submitted.lower()
    async with live.runtime.sessions() as session:
        [pending] = (await session.exec(select(Workflow))).all()
    assert pending.status == WorkflowStatus.pending_approval
    await say(live, 4, "approve", user="UOWNER")
    async with live.runtime.sessions() as session:
        [active] = (await session.exec(select(Workflow))).all()
    assert active.status == WorkflowStatus.active
