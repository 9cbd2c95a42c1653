"""The draft card's Try it: run the draft once on sample data and show the clicker the result."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.cards import tell
from bot.slack.deps import deps_of
from bot.slack.errors import explain
from bot.slack.payloads import Click
from bot.slack.views.trial import trial_blocks, trial_text
from workflows.trial import try_approval


async def try_draft(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Try the card's draft as a dry run (nothing is sent); only the clicker sees the result."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            trial = await try_approval(deps.runtime, actor.tenant, click.value)
    except Exception as exc:
        await tell(client, click.channel_id, click.user_id, explain(exc))
        return
    text, blocks = trial_text(trial), trial_blocks(trial)
    if click.channel_id:
        await client.chat_postEphemeral(
            channel=click.channel_id, user=click.user_id, text=text, blocks=blocks
        )
    else:
        await client.chat_postMessage(channel=click.user_id, text=text, blocks=blocks)
