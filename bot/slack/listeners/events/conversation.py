"""Mentions and DMs: a thin relay to the `ConversationHandler`, replying in the thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import Said, deps_of
from bot.slack.errors import explain
from bot.slack.triggering import start_listeners
from bot.slack.views.choices import reply_blocks
from workflows.triggers.slack import SlackMessage

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def thread_key(team_id: str | None, channel: str, thread_ts: str) -> str:
    """The assistant conversation of one Slack thread."""
    return f"slack:{team_id}:{channel}:{thread_ts}"


async def reply_in_thread(client: AsyncWebClient, channel: str, thread_ts: str, said: Said) -> None:
    """Post the reply in the thread, with its options as buttons when it offers any."""
    if said.choices:
        blocks = reply_blocks(said.text, said.choices)
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=said.text, blocks=blocks
        )
        return
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=said.text)


async def on_mention(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`@Levqor …` in a channel: the workflows listening for mentions there, else a conversation."""
    text = _MENTION.sub("", event.get("text", "")).strip()
    if event.get("user") and not event.get("bot_id"):
        started = await start_listeners(deps_of(context), client, mention_of(event, body, text))
        if started.listened:
            return
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
    key = thread_key(body.get("team_id"), channel, thread_ts)
    text = _MENTION.sub("", event.get("text", "")).strip()
    try:
        async with deps.acting(body.get("team_id"), user, None) as actor:
            member = actor.member
        said = await deps.conversation.handle(key, text, member)
    except Exception as exc:
        said = Said(explain(exc))
    await reply_in_thread(client, channel, thread_ts, said)


def mention_of(event: dict[str, Any], body: dict[str, Any], text: str) -> SlackMessage:
    """An `app_mention` as a Slack trigger message (the mention itself taken out of the text)."""
    return SlackMessage(
        kind="mention",
        key=f"slack:{body.get('event_id') or event.get('ts')}",
        channel=str(event.get("channel", "")),
        text=text,
        user=event.get("user"),
        ts=event.get("ts"),
        thread_ts=event.get("thread_ts"),
        team=body.get("team_id"),
    )
