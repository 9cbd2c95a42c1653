"""Modal submissions: the approval confirmation, and the Edit form (new version, card re-drawn)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.confirmations import email_confirmation
from bot.slack import operations
from bot.slack.cards import current_card, tell, update_card
from bot.slack.deps import deps_of
from bot.slack.edits import EditError, apply_edits, submitted_values
from bot.slack.errors import explain
from bot.slack.payloads import Submission
from bot.slack.views.modals import TYPED_NAME
from storage.models import Approval, Decision
from workflows import service
from workflows.errors import Conflict, InvalidSpec


async def confirm_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The approver confirmed: decide with `confirm=True` (and the typed name, when asked for).

    A lone owner's own class C then waits for the emailed link; they are told so.
    """
    await ack()
    deps, sub = deps_of(context), Submission.of(body)
    ref = sub.card
    typed = submitted_values(sub.values).get(TYPED_NAME)
    try:
        async with deps.acting(sub.team_id, sub.user_id, sub.user_name) as actor:
            proposal = await operations.decide(
                actor, deps, ref.approval_id, approve=True, confirm=True, typed_name=typed
            )
            if proposal.confirmation is not None:
                told = await email_confirmation(deps.runtime, actor.workspace, proposal)
                await tell(client, ref.channel_id, sub.user_id, f":email: {told}")
                return
            text, blocks = await current_card(actor.tenant, deps, ref.approval_id)
    except Exception as exc:
        await tell(client, ref.channel_id, sub.user_id, explain(exc))
        return
    await update_card(client, ref.channel_id, ref.message_ts, text, blocks)


async def edit_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Check the form (errors shown in the modal), then propose the edited spec as a new version."""
    deps, sub = deps_of(context), Submission.of(body)
    ref, acked = sub.card, False
    try:
        async with deps.acting(sub.team_id, sub.user_id, sub.user_name) as actor:
            approval = await actor.tenant.get(Approval, ref.approval_id)
            if approval is None or approval.decision != Decision.pending:
                raise Conflict("this draft was decided or replaced meanwhile; nothing was changed")
            card = await operations.card_for(actor.tenant, deps, ref.approval_id)
            try:
                spec = apply_edits(card.spec, submitted_values(sub.values))
                service.parse_spec(spec, deps.runtime.registry)
            except EditError as exc:
                await ack(response_action="errors", errors=exc.errors)
                return
            except InvalidSpec as exc:
                await ack(response_action="errors", errors=_first_field(sub.values, str(exc)))
                return
            await ack()
            acked = True
            proposal = await operations.propose_edit(actor, deps, ref.approval_id, spec)
            text, blocks = await current_card(actor.tenant, deps, proposal.approval.id)
    except Exception as exc:
        if not acked:
            await ack()
        await tell(client, ref.channel_id, sub.user_id, explain(exc))
        return
    await update_card(client, ref.channel_id, ref.message_ts, text, blocks)


def _first_field(values: dict[str, Any], message: str) -> dict[str, str]:
    first = next(iter(values), "")
    return {first: message[:2000]} if first else {}
