"""The delivery ledger: every Slack/email send is keyed, recorded, and never repeated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError

from integrations.base import ActionContext, ActionError
from storage.models import OutboxMessage
from storage.scope import Tenant
from storage.types import utcnow

Channel = Literal["slack", "email"]
Sender = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Message:
    """One message to one target, as the ledger stores it."""

    channel: Channel
    key: str
    target: str
    body: str
    subject: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What happened to a message: delivered live, kept in the outbox, or only previewed."""

    delivered: str  # "slack" / "email" / "outbox" / "dry_run"
    status: str  # "sent" / "pending" / "dry_run"
    result: dict[str, Any]
    repeated: bool = False


async def find(ctx: ActionContext, key: str) -> OutboxMessage | None:
    """The ledger row for an idempotency key in this workspace, if any."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        return await tenant.first(
            tenant.select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )


async def deliver(
    ctx: ActionContext, message: Message, send: Sender | None, not_configured: str
) -> Delivery:
    """Send `message` once: reuse a sent/pending row, park it when `send` is None, record failures.

    `send` raises ActionError for a permanent failure (recorded as "failed") and RetryableError
    for a transient one (nothing recorded, so the retry sends).
    """
    if ctx.dry_run:
        return Delivery("dry_run", "dry_run", dict(message.payload))
    existing = await find(ctx, message.key)
    if existing is not None and existing.status in ("sent", "pending"):
        delivered = message.channel if existing.status == "sent" else "outbox"
        return Delivery(delivered, existing.status, dict(existing.payload.get("result", {})), True)
    known = existing is not None
    if send is None:
        await _record(ctx, message, "pending", not_configured, {}, known=known)
        return Delivery("outbox", "pending", {})
    try:
        result = await send()
    except ActionError as exc:
        await _record(ctx, message, "failed", str(exc)[:500], {}, known=known)
        raise
    await _record(ctx, message, "sent", None, result, known=known)
    return Delivery(message.channel, "sent", result)


async def _record(
    ctx: ActionContext,
    message: Message,
    status: str,
    reason: str | None,
    result: dict[str, Any],
    *,
    known: bool,
) -> None:
    """Write the ledger row; `known` says a (failed) row for the key exists and is updated."""
    payload = {**message.payload, "result": result, "run_id": ctx.run_id, "step_id": ctx.step_id}
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        row = None
        if known:
            row = await tenant.first(
                tenant.select(OutboxMessage).where(OutboxMessage.idempotency_key == message.key)
            )
        if row is None:
            row = tenant.add(
                OutboxMessage(
                    workspace_id=ctx.workspace_id, channel=message.channel, target=message.target
                )
            )
        row.idempotency_key = message.key
        row.target = message.target[:320]
        row.subject = message.subject[:500] if message.subject else None
        row.body = message.body
        row.payload = payload
        row.status = status
        row.reason = reason
        row.created_at = utcnow()
        try:
            await session.commit()
        except IntegrityError:
            # Another attempt recorded the same key first; its row stands.
            await session.rollback()
