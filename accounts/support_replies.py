"""The operator's reply to a ticket: kept in the ticket's conversation (the customer reads the
thread on the Help page), the ticket marked answered, the reply emailed to the person who asked
(SMTP, else the outbox), and written to the workspace's audit log."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.account_mail import AccountMail, MailResult, send_account_mail
from accounts.support import TicketError
from storage.config import Settings
from storage.models import AuditLog, SupportTicket, Workspace
from storage.types import utcnow

SIGNATURE = "Levqor support"


async def add_reply(
    session: AsyncSession, ticket_id: str, text: str, by: str, now: datetime | None = None
) -> SupportTicket:
    """Add the operator's reply to the ticket's conversation (the caller commits)."""
    text = text.strip()
    if not text:
        raise TicketError("write the reply first: it is empty")
    ticket = await session.get(SupportTicket, ticket_id.strip()[:32])
    if ticket is None:
        raise TicketError(f"there is no ticket {ticket_id!r} (`levqor support list` shows them)")
    at = now or utcnow()
    turn = {"reply": text[:10_000], "by": SIGNATURE, "at": at.isoformat()}
    ticket.conversation = [*ticket.conversation, turn]  # a new list: the JSON column is saved
    ticket.status = "answered"
    session.add(
        AuditLog(
            workspace_id=ticket.workspace_id,
            actor=by[:200],
            action="support.replied",
            subject=ticket.id,
            detail={"subject": ticket.subject},
            at=at,
        )
    )
    return ticket


def replies(ticket: SupportTicket) -> list[dict[str, str]]:
    """The operator's replies in the ticket's conversation, oldest first."""
    return [turn for turn in ticket.conversation if "reply" in turn]


def reply_text(ticket: SupportTicket, text: str, help_url: str) -> str:
    """The email's body."""
    return (
        f"{SIGNATURE} replied to your question “{ticket.subject}”:\n\n{text}\n\n"
        f"The whole conversation is on the Help page: {help_url}\n"
    )


async def email_reply(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    ticket: SupportTicket,
    text: str,
) -> MailResult:
    """Email the reply to the person who asked, once per reply."""
    if not ticket.email:
        return MailResult("failed", "the ticket has no email address: the reply is in the app")
    async with sessions() as session:
        workspace = await session.get(Workspace, ticket.workspace_id)
    if workspace is None:
        return MailResult("failed", "the ticket's workspace is gone")
    body = reply_text(ticket, text, settings.public_url.rstrip("/") + "/help")
    mail = AccountMail(
        to=ticket.email,
        subject=f"Re: {ticket.subject}",
        text=body,
        kept_text=body,
        key=f"support-reply:{ticket.id}:{len(replies(ticket))}",
    )
    return await send_account_mail(settings, sessions, http, workspace, mail)
