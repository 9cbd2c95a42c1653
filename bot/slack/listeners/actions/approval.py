"""The draft card's buttons: Approve (asks to confirm when the policy says so), Reject, Edit."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import operations
from bot.slack.cards import current_card, tell, update_card
from bot.slack.deps import SlackDeps, deps_of, workspace_for_team
from bot.slack.edits import editable_fields
from bot.slack.errors import explain
from bot.slack.payloads import CardRef, Click
from bot.slack.views.modals import confirm_modal, edit_modal
from storage.models import Approval, Decision, Member
from storage.scope import Tenant
from workflows import policy, service
from workflows.describe import reasons_in_words
from workflows.errors import Conflict, Forbidden, NotFound


async def approve(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Approve now, or for class C open the confirmation dialog first."""
    await ack()
    await decide_click(deps_of(context), Click.of(body), client, approve=True)


async def reject(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Reject: the version never runs."""
    await ack()
    await decide_click(deps_of(context), Click.of(body), client, approve=False)


async def decide_click(
    deps: SlackDeps, click: Click, client: AsyncWebClient, *, approve: bool
) -> None:
    """Apply a decision click; refusals and stale clicks are explained to the clicker alone."""
    ref = CardRef(click.value, click.channel_id, click.message_ts)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            approval = await actor.tenant.get(Approval, click.value)
            if approval is None:
                raise NotFound("this approval request no longer exists")
            need = policy.Need.nothing
            if approve and approval.decision == Decision.pending:
                need = await _need(actor.tenant, approval, actor.member)
            if need != policy.Need.nothing:
                card = await operations.card_for(actor.tenant, deps, approval.id)
                name = str(card.spec.get("name", "workflow"))
                view = confirm_modal(
                    name,
                    reasons_in_words(card.spec, card.reasons),
                    ref.dump(),
                    approval.approval_class,
                    ask_name=need in (policy.Need.name, policy.Need.name_and_email),
                    link=need == policy.Need.name_and_email,
                )
                await client.views_open(trigger_id=click.trigger_id, view=view)
                return
            await operations.decide(actor, deps, click.value, approve=approve)
            text, blocks = await current_card(actor.tenant, deps, click.value)
    except Exception as exc:
        await tell(client, click.channel_id, click.user_id, explain(exc))
        if isinstance(exc, Conflict):
            await refresh(deps, client, click.team_id, ref)
        return
    await update_card(client, click.channel_id, click.message_ts, text, blocks)


async def _need(tenant: Tenant, approval: Approval, member: Member) -> policy.Need:
    """What approving asks of the clicker (the policy decides); Forbidden when they never may."""
    try:
        who = await service.approver_for(tenant, approval, member)
        return policy.requirement(approval.approval_class, who)
    except policy.ApprovalDenied as exc:
        raise Forbidden(str(exc)) from None


async def refresh(
    deps: SlackDeps, client: AsyncWebClient, team_id: str | None, ref: CardRef
) -> None:
    """Re-render a card from the database (after a stale or repeated click)."""
    if not (ref.channel_id and ref.message_ts):
        return
    async with deps.runtime.sessions() as session:
        workspace = await workspace_for_team(session, deps.settings, team_id)
        approval = await session.get(Approval, ref.approval_id)
        if approval is None or (
            approval.decision == Decision.rejected and approval.decided_by is None
        ):
            return  # superseded: the message already shows the newer version
        text, blocks = await current_card(Tenant(session, workspace.id), deps, ref.approval_id)
    await update_card(client, ref.channel_id, ref.message_ts, text, blocks)


async def edit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Open the Edit form for the card's draft (schedule, channel, recipients, thresholds)."""
    await ack()
    deps, click = deps_of(context), Click.of(body)
    try:
        async with deps.acting(click.team_id, click.user_id, click.user_name) as actor:
            operations.may_request(actor.member)
            approval = await actor.tenant.get(Approval, click.value)
            if approval is None or approval.decision != Decision.pending:
                raise Conflict("this draft was already decided; it can no longer be edited")
            card = await operations.card_for(actor.tenant, deps, click.value)
        ref = CardRef(click.value, click.channel_id, click.message_ts)
        view = edit_modal(str(card.spec.get("name", "")), editable_fields(card.spec), ref.dump())
        await client.views_open(trigger_id=click.trigger_id, view=view)
    except Exception as exc:
        await tell(client, click.channel_id, click.user_id, explain(exc))
