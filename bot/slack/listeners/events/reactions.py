"""`reaction_added`: an emoji put on a channel message may start Slack triggers listening for it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import deps_of
from bot.slack.triggering import start_listeners
from workflows.triggers.slack import SlackMessage

log = logging.getLogger("levqor.slack")


async def message_text(client: AsyncWebClient, channel: str, ts: str) -> str:
    """The text of the message reacted to (`conversations.history`), or "" if Slack won't say."""
    try:
        answer = await client.conversations_history(
            channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
    except SlackApiError as exc:
        log.warning(
            "could not read the message %s in %s: %s", ts, channel, exc.response.get("error")
        )
        return ""
    for found in answer.get("messages") or []:
        if str(found.get("ts")) == ts:
            return str(found.get("text") or "")
    return ""


async def on_reaction_added(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A reaction on a message (not on a file): the workflows listening for that emoji start,
    with the message's text as `trigger.text`. Levqor's own reactions never get here (Bolt
    drops the app's own events)."""
    item = event.get("item") or {}
    if item.get("type") != "message" or not event.get("user") or not event.get("reaction"):
        return
    deps = deps_of(context)
    channel, ts = str(item.get("channel", "")), str(item.get("ts", ""))
    text = await message_text(client, channel, ts) if channel and ts else ""
    reaction = SlackMessage(
        kind="reaction",
        key=f"slack:{body.get('event_id') or ':'.join((channel, ts, str(event['user'])))}",
        channel=channel,
        text=text,
        user=event.get("user"),
        ts=ts,
        team=body.get("team_id"),
        reaction=str(event["reaction"]),
        item_user=event.get("item_user"),
    )
    await start_listeners(deps, client, reaction)
