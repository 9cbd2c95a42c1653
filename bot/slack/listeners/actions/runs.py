"""Run buttons: Retry on a failure alert or the home tab, Run now, and Refresh on the home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import operations
from bot.slack.cards import tell
from bot.slack.deps import deps_of
from bot.slack.errors import explain
from bot.slack.home import publish_home
from bot.slack.payloads import Click
from bot.slack.views.blocks import context as context_line
from bot.slack.views.blocks import section


async def retry_run(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Start the failed run's workflow again (once per failed run, however often clicked)."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            workflow, started = await operations.retry(actor, deps, click.value)
            if click.channel_id is None:
                await publish_home(actor, deps, client)
    except Exception as exc:
        await tell(client, click.channel_id, click.user_id, explain(exc))
        return
    if not started.created:
        text = f"This failure was already retried (run `{started.run.id[:8]}`)."
        await tell(client, click.channel_id, click.user_id, text)
        return
    if click.channel_id and click.message_ts:
        original = (body.get("message") or {}).get("blocks") or []
        kept = [b for b in original if b.get("type") != "actions"]
        note = f":repeat: Retry started by <@{click.user_id}> (run `{started.run.id[:8]}`)"
        await client.chat_update(
            channel=click.channel_id,
            ts=click.message_ts,
            text=f"Retrying {workflow.name}",
            blocks=[*kept, context_line(note)] if kept else [section(note)],
        )


async def run_workflow(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Run a workflow now (from the home tab)."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            workflow = await operations.find_workflow(actor.tenant, click.value)
            started = await operations.run_now(actor, deps, workflow)
    except Exception as exc:
        await tell(client, click.channel_id, click.user_id, explain(exc))
        return
    text = f":arrow_forward: Started *{workflow.name}* (run `{started.run.id[:8]}`)."
    await tell(client, click.channel_id, click.user_id, text)


async def refresh_home(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Re-publish the home tab."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
        await publish_home(actor, deps, client)
