"""Slack requests for a deleted workspace (pending its purge) get one plain sentence, run
nothing, and the refusal is kept in the workspace's audit log; its App Home says it was deleted,
when it is erased and where an owner restores it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

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


async def test_the_app_home_of_a_deleted_workspace_says_so_and_how_to_restore_it(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    deleted_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    async with live.runtime.sessions() as session:
        workspace = await session.get(Workspace, live.workspace.id)
        assert workspace is not None
        workspace.deleted_at = deleted_at
        await session.commit()
    opened = await live.slack.event("event_app_home_opened")
    assert opened.status_code == 200
    [published] = await live.slack.wait_for("views.publish")
    assert published.args["user_id"] == "UOWNER"
    view = published.args["view"]
    assert view["type"] == "home"
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert f"{workspace.name} was deleted." in text and "nothing runs" in text
    purge = deleted_at + timedelta(days=30)
    assert (
        f"erased for good on <!date^{int(purge.timestamp())}^{{date_long}}|31 December 2026>"
        in (text)
    )
    restore = f"{live.runtime.settings.public_url.rstrip('/')}/workspace/deleted"
    assert "An owner can restore it until then" in text and restore in text
    for gone in ("Active workflows", "Run now", "Retry", "Refresh"):  # no figures, no buttons
        assert gone not in text
    assert "actions" not in [b["type"] for b in view["blocks"]]
