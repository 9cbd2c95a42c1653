"""Slack requests for a deleted workspace (pending its purge) get one plain sentence, run
nothing, and the refusal is kept in the workspace's audit log."""

from __future__ import annotations

from storage.models import Workspace
from storage.types import utcnow
from tests.bot.slack.conftest import SlackLive


async def test_a_deleted_workspace_answers_slack_with_a_sentence(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    async with live.runtime.sessions() as session:
        workspace = await session.get(Workspace, live.workspace.id)
        assert workspace is not None
        workspace.deleted_at = utcnow()
        await session.commit()
    for text in ("list", "support how do I restore a deleted workspace"):
        response, key = await live.slack.command(text)
        assert response.status_code == 200
        reply = await live.slack.wait_response(key)
        assert "This workspace is being deleted, so it takes no more work" in reply["text"]
        assert "An owner can restore it from the Workspace page within 30 days" in reply["text"]
    [refused] = await live.audit("workspace.refused")
    assert refused.subject == "Slack" and refused.workspace_id == live.workspace.id
