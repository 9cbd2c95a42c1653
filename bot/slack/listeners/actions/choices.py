"""A click on an option the assistant offered: the choice is said in that thread's conversation."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.cards import tell
from bot.slack.deps import Said, deps_of
from bot.slack.errors import explain
from bot.slack.listeners.events.conversation import reply_in_thread, thread_key
from bot.slack.payloads import Click
from bot.slack.views.choices import picked_blocks


async def pick_choice(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Mark the offer as answered, send the choice to the conversation, post its reply."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    message = body.get("message") or {}
    channel, ts = click.channel_id, click.message_ts
    if not (channel and ts):
        return
    thread_ts = str(message.get("thread_ts") or ts)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            member = actor.member
    except Exception as exc:
        await tell(client, channel, click.user_id, explain(exc))
        return
    offer = str(message.get("text") or "")
    await client.chat_update(
        channel=channel, ts=ts, text=offer, blocks=picked_blocks(offer, click.value, click.user_id)
    )
    key = thread_key(click.team_id, channel, thread_ts)
    try:
        said = await deps.conversation.handle(key, click.value, member)
    except Exception as exc:
        said = Said(explain(exc))
    await reply_in_thread(client, channel, thread_ts, said)
