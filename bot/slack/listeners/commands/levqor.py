"""`/levqor`: a subcommand, or plain language to draft (ack at once, then post the card)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from accounts.limits import OverLimit
from bot.slack import operations
from bot.slack.deps import SlackDeps, deps_of
from bot.slack.errors import explain
from bot.slack.listeners.commands.subcommands import SUBCOMMANDS
from bot.slack.payloads import SlashCommand
from bot.slack.views.draft_card import card_text, draft_card
from bot.slack.views.replies import USAGE, drafting_failed
from workflows.reminders import record_card

DRAFTING = "Drafting…"


async def levqor_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Ack within milliseconds; the work happens after the ack (Bolt runs us in the background)."""
    command = SlashCommand.of(body)
    word, rest = command.words()
    if word in SUBCOMMANDS:
        await ack()
        await _subcommand(deps_of(context), command, word, rest, respond)
    elif not word or " " not in command.text:
        await ack(text=USAGE)
    else:
        await ack(text=DRAFTING)
        deps = deps_of(context)
        async with deps.drafting_slots:
            await _draft(deps, command, client, respond)


def _explain(deps: SlackDeps, exc: BaseException) -> str:
    """What went wrong; over a plan limit, with the full link to the Billing page."""
    if isinstance(exc, OverLimit):
        return f":warning: {exc.refusal.sentence(deps.settings.public_url.rstrip('/'))}"
    return explain(exc)


async def _subcommand(
    deps: SlackDeps, command: SlashCommand, word: str, rest: str, respond: AsyncRespond
) -> None:
    try:
        async with deps.acting(command.team_id, command.user_id, command.user_name) as actor:
            reply = await SUBCOMMANDS[word](deps, actor, rest)
            notice = actor.notice
    except Exception as exc:
        await respond(text=_explain(deps, exc), response_type="ephemeral")
        return
    if notice:  # the client this user acted in was unlinked: say so before the answer
        await respond(text=notice, response_type="ephemeral")
    await respond(**reply.as_kwargs(), response_type="ephemeral")


async def _draft(
    deps: SlackDeps, command: SlashCommand, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    try:
        async with deps.acting(command.team_id, command.user_id, command.user_name) as actor:
            workspace_id = actor.workspace.id  # the client an agency member acts in, if any
        admit = deps.runtime.admit  # the plan's AI drafts a month, counted before drafting
        if admit is not None and (refused := await admit(workspace_id, "ai_draft")):
            text = f":warning: {refused} {deps.link('/billing')}"
            await respond(text=text, response_type="ephemeral")
            return
        result = await deps.drafter.draft(command.text)
        if result.status != "draft" or result.workflow is None:
            message = result.question or result.reason or "I could not draft that."
            reply = drafting_failed(result.status, message)
            await respond(**reply.as_kwargs(), response_type="ephemeral")
            return
        async with deps.acting(command.team_id, command.user_id, command.user_name) as actor:
            result = result.in_zone(actor.workspace.timezone)
            assert result.workflow is not None
            proposal = await operations.propose_draft(actor, deps, result.workflow)
            card = await operations.card_for(actor.tenant, deps, proposal.approval.id)
    except Exception as exc:
        await respond(text=_explain(deps, exc), response_type="ephemeral")
        return
    try:
        posted = await client.chat_postMessage(
            channel=command.channel_id, text=card_text(card), blocks=draft_card(card)
        )
    except SlackApiError as exc:
        await respond(
            text=f"{explain(exc)} Invite me to this channel (`/invite @Levqor`) and try again.",
            response_type="ephemeral",
        )
        return
    if posted.get("ts"):  # reminders about this approval reply in the card's thread
        async with deps.acting(command.team_id, command.user_id, command.user_name) as actor:
            channel = str(posted.get("channel") or command.channel_id)
            await record_card(actor.tenant, proposal.approval.id, channel, str(posted["ts"]))
