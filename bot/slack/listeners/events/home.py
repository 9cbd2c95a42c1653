"""`app_home_opened`: publish the home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import deps_of
from bot.slack.home import publish_deleted_home, publish_home


async def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Publish the health tiles when the user opens the Home tab."""
    if event.get("tab", "home") != "home":
        return
    deps = deps_of(context)
    if await publish_deleted_home(deps, client, body.get("team_id"), event["user"]):
        return  # deleted, pending its purge: what happened and how to undo it, nothing else
    async with deps.acting(body.get("team_id"), event["user"], None) as actor:
        await publish_home(actor, deps, client)
