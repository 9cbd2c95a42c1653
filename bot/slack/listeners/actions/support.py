""" "Still need help?" under a `/levqor support` answer: a ticket with the question and the docs
passages shown attached, due by the plan's response time; only the clicker sees the promise."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from accounts import support
from accounts.help_search import search
from bot.slack.cards import tell
from bot.slack.deps import deps_of
from bot.slack.errors import explain
from bot.slack.payloads import Click


async def open_support_ticket(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Open the ticket for the question the button carries."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    question = click.value.strip()
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            ticket = await support.open_ticket(
                actor.session,
                actor.workspace,
                actor.member,
                question[:200],
                f"Asked in Slack: {question}",
                shown=search(question),
                via="slack",
            )
            words = f"Ticket opened: “{ticket.subject}”. {support.promise(ticket)}"
    except support.TicketError as exc:
        words = str(exc)
    except Exception as exc:
        words = explain(exc)
    await tell(client, click.channel_id, click.user_id, words)
