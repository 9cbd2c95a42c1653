"""Any slash command but `/levqor`: starts the workflows listening for it, says which."""

from __future__ import annotations

import re
import uuid
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import deps_of
from bot.slack.errors import explain
from bot.slack.triggering import Started, start_listeners
from workflows.triggers.slack import SlackMessage, command_name

OTHER_COMMANDS = re.compile(r"^/(?!levqor$).+")


async def workflow_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Ack at once; then start the listening workflows and tell the person (only them)."""
    await ack()
    command = command_name(str(body.get("command", "")))
    message = SlackMessage(
        kind="command",
        # Slack does not retry slash commands, but a repeated POST carries the same trigger_id.
        key=f"slack:command:{body.get('trigger_id') or uuid.uuid4().hex}",
        channel=str(body.get("channel_id", "")),
        channel_name=body.get("channel_name"),
        text=" ".join(str(body.get("text", "")).split()),
        user=body.get("user_id"),
        user_name=body.get("user_name"),
        command=command,
        team=body.get("team_id"),
    )
    try:
        started = await start_listeners(deps_of(context), client, message)
    except Exception as exc:
        await respond(text=explain(exc), response_type="ephemeral")
        return
    await respond(text=command_reply(command, started), response_type="ephemeral")


def command_reply(command: str, started: Started) -> str:
    """What the person who typed the command reads."""
    if started.dispatched.new_run_ids:
        return "Started " + _names(started.names) + "."
    if started.names:
        return "Already started " + _names(started.names) + " for this command."
    return (
        f"No active automation listens for {command} yet. Ask Levqor for one "
        f"(`/levqor when someone types {command} …`) and approve it."
    )


def _names(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
