"""Mentions and DMs: a thin relay to the `ConversationHandler`, replying in the thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import deps_of
from bot.slack.errors import explain

_MENTION = re.compile(r"<@[A-Z0-9]+>")


async def on_mention(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`@Levqor …` in a channel."""
    await _converse(event, body, client, context)


async def on_direct_message(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A message in the app's DM (edits, bots and other subtypes are ignored)."""
    if event.get("subtype") or event.get("bot_id"):
        return
    await _converse(event, body, client, context)


async def _converse(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    channel, user = event["channel"], event.get("user")
    if not user:
        return
    thread_ts = event.get("thread_ts") or event["ts"]
    thread_key = f"slack:{body.get('team_id')}:{channel}:{thread_ts}"
    text = _MENTION.sub("", event.get("text", "")).strip()
    try:
        async with deps.acting(body.get("team_id"), user, None) as actor:
            member = actor.member
        reply = await deps.conversation.handle(thread_key, text, member)
    except Exception as exc:
        reply = explain(exc)
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=reply)
