"""Every Slack and email message a workspace's runs sent or kept, in words; "Send now".

The outbox ledger (integrations.outbox) holds one row per message: "sent", "pending" (parked
because Slack or email sending is not connected), "failed" (with the reason), "sending" (in
flight) or "unknown" (cut off mid-send). This module reads it for people and releases parked
messages once their channel is connected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import outbox, slack
from integrations.base import ActionContext
from integrations.credentials import load_credential
from integrations.email_connection import configured_mail
from integrations.smtp import Sender, SmtpConnection, build_message, message_id, sender_for
from storage.config import Settings
from storage.models import OutboxMessage, Run, Workflow
from storage.scope import Tenant
from workflows.errors import BadRequest, Conflict, NotFound

# What the API's `status` filter accepts, and the ledger statuses each one means.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "sent": ("sent",),
    "parked": ("pending",),
    "failed": ("failed",),
    "sending": ("sending",),
    "unknown": ("unknown",),
}
PUBLIC_STATUS = {"pending": "parked"}
CHANNEL_WORDS = {"slack": "Slack", "email": "Email"}
CONNECT_WORDS = {"slack": "Slack is connected", "email": "email sending (SMTP) is connected"}


@dataclass(frozen=True)
class MessageView:
    """One message as people and the API see it."""

    id: str
    channel: str
    target: str
    subject: str | None
    body: str
    status: str  # sent · parked · failed · sending · unknown
    status_text: str
    reason: str | None
    run_id: str | None
    workflow_id: str | None
    workflow_name: str | None
    created_at: datetime
    can_send_now: bool

    @property
    def channel_text(self) -> str:
        """ "Slack" or "Email"."""
        return CHANNEL_WORDS.get(self.channel, self.channel)


def status_text(row: OutboxMessage, connected: bool) -> str:
    """The message's state in a sentence."""
    if row.status == "sent":
        return "Sent"
    if row.status == "pending":
        if connected:
            return "Not sent yet: kept while it was not connected. It is connected now; send it."
        return f"Not sent: kept until {CONNECT_WORDS.get(row.channel, 'it is connected')}"
    if row.status == "failed":
        return f"Failed: {row.reason or 'the reason was not recorded'}"
    if row.status == "sending":
        return "Sending"
    if row.status == "unknown":
        return "May have been sent: check with the recipient before sending it again"
    return row.status


async def connected_channels(
    session: AsyncSession, settings: Settings, workspace_id: str
) -> dict[str, bool]:
    """Whether Slack and email can be sent live for this workspace now (email: the instance's
    server or the workspace's own verified one)."""
    token = await load_credential(session, workspace_id, "slack", "bot_token", settings=settings)
    own = await configured_mail(session, workspace_id, settings)
    return {
        "slack": bool(token or settings.slack_bot_token),
        "email": bool(settings.smtp_url or own),
    }


def parse_status(status: str | None) -> tuple[str, ...] | None:
    """The ledger statuses an API/page filter means (None: every status)."""
    if not status:
        return None
    found = STATUS_FILTERS.get(status.strip().lower())
    if found is None:
        choices = ", ".join(STATUS_FILTERS)
        raise BadRequest(f"status {status!r} is not one of: {choices}")
    return found


async def list_messages(
    tenant: Tenant,
    settings: Settings,
    *,
    status: str | None = None,
    run_id: str | None = None,
    message_id: str | None = None,
    limit: int = 200,
) -> list[MessageView]:
    """The workspace's messages, newest first (filtered by status words, run or id)."""
    query = tenant.select(OutboxMessage)
    if message_id:
        query = query.where(OutboxMessage.id == message_id)
    wanted = parse_status(status)
    if wanted:
        query = query.where(col(OutboxMessage.status).in_(wanted))
    if run_id:
        query = query.where(col(OutboxMessage.payload)["run_id"].as_string() == run_id)
    rows = await tenant.all(query.order_by(col(OutboxMessage.created_at).desc()).limit(limit))
    connected = await connected_channels(tenant.session, settings, tenant.workspace_id)
    runs = await _runs_of(tenant, {str(r.payload.get("run_id")) for r in rows})
    return [_view(row, connected.get(row.channel, False), runs) for row in rows]


async def _runs_of(tenant: Tenant, run_ids: set[str]) -> dict[str, tuple[str, str]]:
    """{run id: (workflow id, workflow name)} for these runs."""
    if not run_ids:
        return {}
    found = await tenant.all(tenant.select(Run).where(col(Run.id).in_(run_ids)))
    workflow_ids = {run.workflow_id for run in found}
    workflows = await tenant.all(tenant.select(Workflow).where(col(Workflow.id).in_(workflow_ids)))
    names = {w.id: w.name for w in workflows}
    return {run.id: (run.workflow_id, names.get(run.workflow_id, "")) for run in found}


def _view(row: OutboxMessage, connected: bool, runs: dict[str, tuple[str, str]]) -> MessageView:
    run_id = row.payload.get("run_id") if isinstance(row.payload.get("run_id"), str) else None
    workflow = runs.get(run_id or "")
    return MessageView(
        id=row.id,
        channel=row.channel,
        target=row.target,
        subject=row.subject,
        body=row.body,
        status=PUBLIC_STATUS.get(row.status, row.status),
        status_text=status_text(row, connected),
        reason=row.reason,
        run_id=run_id if workflow else None,
        workflow_id=workflow[0] if workflow else None,
        workflow_name=workflow[1] if workflow else None,
        created_at=row.created_at,
        can_send_now=row.status == "pending" and connected,
    )


@dataclass(frozen=True)
class Parked:
    """A run's messages that were kept instead of sent, by channel."""

    slack: int = 0
    email: int = 0

    @property
    def total(self) -> int:
        """How many in all."""
        return self.slack + self.email

    def sentence(self) -> str | None:
        """ "2 messages were not sent: kept until Slack is connected." (None when none)."""
        if not self.total:
            return None
        words = []
        for channel, n in (("slack", self.slack), ("email", self.email)):
            if n:
                words.append(CONNECT_WORDS[channel])
        noun = "message was" if self.total == 1 else "messages were"
        return f"{self.total} {noun} not sent: kept until " + " and ".join(words) + "."


async def parked_in_runs(tenant: Tenant, run_ids: list[str]) -> dict[str, Parked]:
    """For each run with parked messages, how many (runs without any are left out)."""
    if not run_ids:
        return {}
    run_of = col(OutboxMessage.payload)["run_id"].as_string()
    query = tenant.select(OutboxMessage).where(
        col(OutboxMessage.status) == "pending", run_of.in_(run_ids)
    )
    counts: dict[str, dict[str, int]] = {}
    for row in await tenant.all(query):
        per = counts.setdefault(str(row.payload.get("run_id")), {"slack": 0, "email": 0})
        per[row.channel] = per.get(row.channel, 0) + 1
    return {run_id: Parked(c["slack"], c["email"]) for run_id, c in counts.items()}


async def send_now(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    workspace_id: str,
    message_id: str,
) -> str:
    """Send one parked message live; what happened, in a sentence (Conflict when it cannot)."""
    async with sessions() as session:
        tenant = Tenant(session, workspace_id)
        row = await tenant.first(tenant.select(OutboxMessage).where(OutboxMessage.id == message_id))
        if row is None:
            raise NotFound("there is no such message")
        if row.status != "pending":
            raise Conflict(f"this message is not waiting to be sent ({status_text(row, False)})")
        connected = await connected_channels(session, settings, workspace_id)
        token = await load_credential(
            session, workspace_id, "slack", "bot_token", settings=settings
        )
        run = await session.get(Run, str(row.payload.get("run_id") or ""))
    if not connected.get(row.channel):
        raise Conflict(f"Connect {CHANNEL_WORDS.get(row.channel, row.channel)} first, then send it")
    ctx = ActionContext(
        settings=settings,
        sessions=sessions,
        http=http,
        workspace_id=workspace_id,
        workflow_id=run.workflow_id if run else "",
        run_id=run.id if run else "",
        step_id=str(row.payload.get("step_id") or ""),
        idempotency_key=row.idempotency_key or row.id,
    )
    send = _slack_sender(ctx, token or settings.slack_bot_token or "", row)
    if row.channel == "email":
        send = _email_sender(ctx, row)
    outcome = await outbox.release(ctx, row.id, send)
    if outcome == "taken":
        raise Conflict("this message was sent or is being sent already")
    async with sessions() as session:
        fresh = await session.get(OutboxMessage, row.id)
    if outcome == "failed" and fresh is not None:
        return f"Not sent. {status_text(fresh, True)}"
    return f"Sent to {row.target}."


def _slack_sender(ctx: ActionContext, token: str, row: OutboxMessage) -> outbox.Sender:
    async def send() -> dict[str, Any]:
        return await slack.post_parked(ctx, token, row.payload)

    return send


def _email_sender(ctx: ActionContext, row: OutboxMessage) -> outbox.Sender:
    async def send() -> dict[str, Any]:
        sender = await sender_for(ctx)
        async with ctx.sessions() as session:  # the workspace's own verified server first
            own = await configured_mail(session, ctx.workspace_id, ctx.settings)
        if own is not None:
            sender = Sender(sender.workspace_id, sender.name, own.sender)
        msg_id = str(row.payload.get("message_id") or "") or message_id(
            sender.address, ctx.idempotency_key
        )
        html = row.payload.get("html")
        message = build_message(
            sender,
            to=[row.target],
            cc=[],
            subject=row.subject or "",
            text=row.body,
            html=html if isinstance(html, str) else None,
            msg_id=msg_id,
        )
        async with SmtpConnection(ctx.settings, own.url if own else None) as smtp:
            await smtp.send(message, sender.address, row.target)
        return {"message_id": msg_id, "to": row.target}

    return send
