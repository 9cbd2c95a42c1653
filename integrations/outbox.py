"""The delivery ledger: every Slack/email send is keyed, recorded, and never repeated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from integrations.base import ActionContext, ActionError
from storage.models import OutboxMessage
from storage.scope import Tenant
from storage.types import new_id, utcnow

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
    if send is None:
        return await _park(ctx, message, not_configured)
    existing = await find(ctx, message.key)
    if existing is not None and existing.status in ("sent", "pending"):
        return _repeated(message, existing)
    known = existing is not None
    try:
        result = await send()
    except ActionError as exc:
        await _record(ctx, message, "failed", str(exc)[:500], {}, known=known)
        raise
    await _record(ctx, message, "sent", None, result, known=known)
    return Delivery(message.channel, "sent", result)


def _repeated(message: Message, existing: OutboxMessage) -> Delivery:
    delivered = message.channel if existing.status == "sent" else "outbox"
    return Delivery(delivered, existing.status, dict(existing.payload.get("result", {})), True)


async def _park(ctx: ActionContext, message: Message, reason: str) -> Delivery:
    """Keep `message` in the outbox unless its key is already sent or kept (one session).

    A new key (the usual case) costs one INSERT that leaves an existing row for the key alone;
    only when there is one is it read: a sent or kept message stands, a failed one is updated.
    """
    values = {
        "id": new_id(),
        "workspace_id": ctx.workspace_id,
        "channel": message.channel,
        **_fields(ctx, message, "pending", reason, {}),
    }
    async with ctx.sessions() as session:
        connection = await session.connection()
        added = await connection.execute(_INSERT_NEW[connection.dialect.name], values)
        if added.first() is not None:
            await session.commit()
            return Delivery("outbox", "pending", {})
        tenant = Tenant(session, ctx.workspace_id)
        existing = await tenant.first(
            tenant.select(OutboxMessage).where(OutboxMessage.idempotency_key == message.key)
        )
        if existing is None:  # the key is another workspace's: leave it alone, as before
            return Delivery("outbox", "pending", {})
        if existing.status in ("sent", "pending"):
            return _repeated(message, existing)
        await _write(ctx, tenant, existing, message, "pending", reason, {})
    return Delivery("outbox", "pending", {})


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
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        row = None
        if known:
            row = await tenant.first(
                tenant.select(OutboxMessage).where(OutboxMessage.idempotency_key == message.key)
            )
        await _write(ctx, tenant, row, message, status, reason, result)


async def _write(
    ctx: ActionContext,
    tenant: Tenant,
    row: OutboxMessage | None,
    message: Message,
    status: str,
    reason: str | None,
    result: dict[str, Any],
) -> None:
    """Fill `row` (or a new one) with the message and its outcome, and commit."""
    if row is None:
        row = tenant.add(
            OutboxMessage(
                workspace_id=ctx.workspace_id, channel=message.channel, target=message.target
            )
        )
    _fill(ctx, row, message, status, reason, result)
    try:
        await tenant.session.commit()
    except IntegrityError:
        # Another attempt recorded the same key first; its row stands.
        await tenant.session.rollback()


def _fill(
    ctx: ActionContext,
    row: OutboxMessage,
    message: Message,
    status: str,
    reason: str | None,
    result: dict[str, Any],
) -> None:
    for name, value in _fields(ctx, message, status, reason, result).items():
        setattr(row, name, value)


def _fields(
    ctx: ActionContext, message: Message, status: str, reason: str | None, result: dict[str, Any]
) -> dict[str, Any]:
    """The ledger row's columns for this message and outcome (all but id/workspace/channel)."""
    return {
        "idempotency_key": message.key,
        "target": message.target[:320],
        "subject": message.subject[:500] if message.subject else None,
        "body": message.body,
        "payload": {
            **message.payload,
            "result": result,
            "run_id": ctx.run_id,
            "step_id": ctx.step_id,
        },
        "status": status,
        "reason": reason,
        "created_at": utcnow(),
    }


# A new ledger row, unless its key is in the ledger already (then no row comes back).
_INSERT_NEW = {
    "postgresql": postgresql.insert(OutboxMessage)
    .on_conflict_do_nothing()
    .returning(col(OutboxMessage.id)),
    "sqlite": sqlite.insert(OutboxMessage)
    .on_conflict_do_nothing()
    .returning(col(OutboxMessage.id)),
}
