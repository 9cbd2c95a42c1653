"""Emails about someone's account (an invite, a password reset) through the usual sending path.

SMTP when it is configured, else the outbox, keyed so a repeated request sends once. The message
that goes out carries the link; the delivery ledger (the outbox table, which every member can read
through `/api/outbox`) keeps a copy without it, so a link is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import outbox
from integrations.base import ActionContext, ActionError, RetryableError
from integrations.smtp import Sender, SmtpConnection, build_message, message_id, sender_address
from storage.config import Settings
from storage.models import Workspace


@dataclass(frozen=True)
class MailResult:
    """How the email went: "email" (sent), "outbox" (kept: no SMTP), or "failed"."""

    delivered: str
    problem: str = ""
    repeated: bool = False


@dataclass(frozen=True)
class AccountMail:
    """One email to one person: `text` goes out, `kept_text` (no link) is what the ledger keeps."""

    to: str
    subject: str
    text: str
    kept_text: str
    key: str  # the idempotency key: the same key is sent once


async def send_account_mail(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    workspace: Workspace,
    mail: AccountMail,
    *,
    park: bool = True,
) -> MailResult:
    """Send `mail` from the workspace's address once; without SMTP, keep it in the outbox.

    `park=False`: without SMTP nothing is kept (for mail that is useless without its link).
    """
    ctx = ActionContext(
        settings=settings,
        sessions=sessions,
        http=http,
        workspace_id=workspace.id,
        workflow_id="account",
        run_id=mail.key,
        step_id="account",
        idempotency_key=mail.key,
    )
    try:
        name, address = sender_address(settings, workspace.slug)
    except ActionError as exc:
        return MailResult("failed", str(exc))
    sender = Sender(workspace.id, name or workspace.name, address)
    message = build_message(
        sender,
        to=[mail.to],
        cc=[],
        subject=mail.subject,
        text=mail.text,
        html=None,
        msg_id=message_id(sender.address, mail.key),
    )
    kept = outbox.Message(
        channel="email",
        key=mail.key,
        target=mail.to,
        subject=mail.subject,
        body=mail.kept_text,
        payload={"to": mail.to},
    )
    async with SmtpConnection(settings) as smtp:
        if not smtp.configured and not park:
            return MailResult("failed", "email is not set up (SMTP_URL)")

        async def send() -> dict[str, Any]:
            await smtp.send(message, sender.address, mail.to)
            return {"message_id": str(message["Message-ID"]), "to": mail.to}

        try:
            delivery = await outbox.deliver(
                ctx, kept, send if smtp.configured else None, "smtp not configured"
            )
        except (ActionError, RetryableError) as exc:
            return MailResult("failed", str(exc))
    return MailResult(delivery.delivered, repeated=delivery.repeated)
