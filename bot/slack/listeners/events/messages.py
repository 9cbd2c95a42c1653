"""Every `message` event: a DM is a conversation; a channel message may start Slack triggers."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import deps_of
from bot.slack.listeners.events.conversation import on_direct_message
from bot.slack.triggering import start_listeners
from workflows.triggers.slack import SlackMessage

CHANNEL_TYPES = ("channel", "group")


async def on_message(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Route by where it was said; edits, joins, bots (Levqor's own posts too) start nothing."""
    if event.get("channel_type") == "im":
        await on_direct_message(event, body, client, context)
        return
    if (
        event.get("channel_type") not in CHANNEL_TYPES
        or event.get("subtype")
        or event.get("bot_id")
    ):
        return
    message = SlackMessage(
        kind="message",
        key=f"slack:{body.get('event_id') or event.get('client_msg_id') or event.get('ts')}",
        channel=str(event.get("channel", "")),
        text=str(event.get("text", "")),
        user=event.get("user"),
        ts=event.get("ts"),
        thread_ts=event.get("thread_ts"),
        team=body.get("team_id"),
    )
    await start_listeners(deps_of(context), client, message)
