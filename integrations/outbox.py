"""The delivery ledger: every Slack/email send is keyed, recorded, and never repeated.

A live send writes its row as "sending" (committed) before calling the provider and "sent" after.
Inside a run these writes go through the engine's group writer (`ActionContext.write`): shared
with other runs' writes of the same moment, each still committed before the send goes on.
A row still "sending" when the step runs again means a process stopped mid-call: the message may
or may not have gone. If the provider can tell (`check`: Slack finds the message by the key it
carries), the ledger follows the provider; otherwise the row becomes "unknown" and the step fails
with `DeliveryUnknown`, in words. Nothing is sent twice on a guess.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlmodel import col

from integrations.base import ActionContext, ActionError, RetryableError
from storage.models import OutboxMessage
from storage.scope import Tenant
from storage.types import new_id, utcnow

Channel = Literal["slack", "email"]
Sender = Callable[[], Awaitable[dict[str, Any]]]
# What a provider says of an attempt that was cut off: its result (it went), "absent" (it did
# not) or "unknown" (it cannot tell).
Lookup = dict[str, Any] | Literal["absent", "unknown"]
Checker = Callable[[OutboxMessage], Awaitable[Lookup]]
UNKNOWN = (
    "We may or may not have sent this message: the process stopped while sending. "
    "Check with the recipient (or in the channel) before sending it again."
)


class DeliveryUnknown(ActionError):
    """A send was cut off mid-call and the provider cannot say whether it went."""

    def __init__(self) -> None:
        super().__init__(UNKNOWN)


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
    ctx: ActionContext,
    message: Message,
    send: Sender | None,
    not_configured: str,
    check: Checker | None = None,
) -> Delivery:
    """Send `message` once: reuse a sent/pending row, park it when `send` is None, record failures.

    `send` raises ActionError for a permanent failure (recorded as "failed") and RetryableError
    for a transient one (nothing kept, so the retry sends). A row found "sending" is settled with
    `check` (see the module docstring), or marked "unknown" when there is none.
    """
    if ctx.dry_run:
        return Delivery("dry_run", "dry_run", dict(message.payload))
    if send is None:
        return await _park(ctx, message, not_configured)
    if not await _start(ctx, message):
        existing = await find(ctx, message.key)
        if existing is None:  # the key is another workspace's: send without a row, as before
            return Delivery(message.channel, "sent", await send())
        if existing.status in ("sent", "pending"):
            return _repeated(message, existing)
        if existing.status in ("sending", "unknown"):
            found = await check(existing) if check and existing.status == "sending" else "unknown"
            if isinstance(found, dict):
                await _settle(ctx, message, "sent", None, found)
                return Delivery(message.channel, "sent", found, True)
            if found == "unknown":
                await _settle(ctx, message, "unknown", UNKNOWN[:500], {})
                raise DeliveryUnknown()
        await _settle(ctx, message, "sending", None, {})  # failed, or checked absent: send
    try:
        result = await send()
    except RetryableError:
        await _forget(ctx, message)  # it did not go: no row, as if never tried; the retry sends
        raise
    except Exception as exc:
        await _settle(ctx, message, "failed", str(exc)[:500] or type(exc).__name__, {})
        raise
    await _settle(ctx, message, "sent", None, result)
    return Delivery(message.channel, "sent", result)


async def release(
    ctx: ActionContext, row_id: str, send: Sender
) -> Literal["sent", "failed", "taken"]:
    """Send a parked ("pending") message now: claimed first, so two clicks send it once.

    "taken" when the row was no longer waiting (sent or being sent by someone else); a failure
    is recorded on the row with its reason, as for a live send.
    """
    where = (
        col(OutboxMessage.workspace_id) == ctx.workspace_id,
        col(OutboxMessage.id) == row_id,
    )
    async with ctx.sessions() as session:
        claimed = await session.exec(
            update(OutboxMessage)
            .where(*where, col(OutboxMessage.status) == "pending")
            .values(status="sending", reason=None)
        )
        await session.commit()
    if not claimed.rowcount:
        return "taken"
    try:
        result = await send()
    except Exception as exc:
        outcome: dict[str, Any] = {
            "status": "failed",
            "reason": str(exc)[:500] or type(exc).__name__,
        }
    else:
        outcome = {"status": "sent", "reason": None}
    async with ctx.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.reason = outcome["status"], outcome["reason"]
        if outcome["status"] == "sent":
            row.payload = {**row.payload, "result": result}
        session.add(row)
        await session.commit()
    return "sent" if outcome["status"] == "sent" else "failed"


async def _start(ctx: ActionContext, message: Message) -> bool:
    """Write a new key's row as "sending" and commit it; False when the key has a row already.

    Returns only once the row is committed (`ActionContext.write`: the engine's group writer
    or a session of its own), so the row exists before the provider is called."""
    return await ctx.write(partial(_insert_new, values=_new_row(ctx, message, "sending", None)))


async def _insert_new(connection: AsyncConnection, values: dict[str, Any]) -> bool:
    """INSERT a ledger row unless its key has one: whether it was added."""
    added = await connection.execute(_INSERT_NEW[connection.dialect.name], values)
    return added.first() is not None


def _new_row(
    ctx: ActionContext, message: Message, status: str, reason: str | None
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "workspace_id": ctx.workspace_id,
        "channel": message.channel,
        **_fields(ctx, message, status, reason, {}),
    }


async def _forget(ctx: ActionContext, message: Message) -> None:
    """Remove the key's "sending" row (the provider answered: the message did not go)."""
    statement = delete(OutboxMessage).where(
        col(OutboxMessage.workspace_id) == ctx.workspace_id,
        col(OutboxMessage.idempotency_key) == message.key,
        col(OutboxMessage.status) == "sending",
    )
    await ctx.write(partial(_execute, statement=statement))


async def _settle(
    ctx: ActionContext, message: Message, status: str, reason: str | None, result: dict[str, Any]
) -> None:
    """Write this outcome on the key's row (one UPDATE); returns once it is committed."""
    values = _fields(ctx, message, status, reason, result)
    if status != "sending":  # the attempt's time stays: a later check looks from there
        del values["created_at"]
    statement = (
        update(OutboxMessage)
        .where(
            col(OutboxMessage.workspace_id) == ctx.workspace_id,
            col(OutboxMessage.idempotency_key) == message.key,
        )
        .values(**values)
    )
    await ctx.write(partial(_execute, statement=statement))


async def _execute(connection: AsyncConnection, statement: Executable) -> None:
    await connection.execute(statement)


def _repeated(message: Message, existing: OutboxMessage) -> Delivery:
    delivered = message.channel if existing.status == "sent" else "outbox"
    return Delivery(delivered, existing.status, dict(existing.payload.get("result", {})), True)


async def _park(ctx: ActionContext, message: Message, reason: str) -> Delivery:
    """Keep `message` in the outbox unless its key is already sent or kept (one session).

    A new key (the usual case) costs one INSERT that leaves an existing row for the key alone;
    only when there is one is it read: a sent or kept message stands, a failed one is updated.
    """
    if await ctx.write(partial(_insert_new, values=_new_row(ctx, message, "pending", reason))):
        return Delivery("outbox", "pending", {})
    async with ctx.sessions() as session:
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
