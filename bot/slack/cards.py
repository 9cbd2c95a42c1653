"""Show a draft card as it stands now (pending, decided or superseded), and tell one user."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import operations
from bot.slack.deps import SlackDeps
from bot.slack.views.blocks import Block
from bot.slack.views.draft_card import (
    card_text,
    decided_card,
    decided_text,
    draft_card,
    superseded_card,
)
from storage.models import Approval, Decision, Member
from storage.scope import Tenant


async def current_card(
    tenant: Tenant, deps: SlackDeps, approval_id: str
) -> tuple[str, list[Block]]:
    """The card's text and blocks for the approval's present state."""
    card = await operations.card_for(tenant, deps, approval_id)
    approval = await tenant.get(Approval, approval_id)
    assert approval is not None
    if approval.decision == Decision.pending:
        return card_text(card), draft_card(card)
    decider = await tenant.get(Member, approval.decided_by) if approval.decided_by else None
    if decider is None or approval.decided_at is None:
        return card_text(card), superseded_card(card)
    by = f"<@{decider.slack_user_id}>" if decider.slack_user_id else decider.name
    approved = approval.decision == Decision.approved
    blocks = decided_card(
        card, approved=approved, by=by, at=approval.decided_at, note=approval.reason
    )
    return decided_text(card, approved=approved, by=by), blocks


async def update_card(
    client: AsyncWebClient, channel: str | None, ts: str | None, text: str, blocks: list[Block]
) -> None:
    """Replace the card message (when we know where it is)."""
    if channel and ts:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)


async def tell(client: AsyncWebClient, channel: str | None, user: str, text: str) -> None:
    """A message only `user` sees (in the channel), or a DM when there is no channel."""
    if channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        await client.chat_postMessage(channel=user, text=text)
