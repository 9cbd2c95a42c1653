"""Support tickets: opened with the conversation attached and the plan's response time as a due
time; the instance's operator works through them by due time (best effort last)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.help_search import Passage
from accounts.retention import plan_name, support_hours, with_plan
from storage.models import Member, SupportTicket, Workspace
from storage.types import utcnow

DUE_SOON = timedelta(hours=2)  # a ticket due within this long raises the operator's alert


class TicketError(Exception):
    """Why a ticket could not be opened, in plain words."""


def due_at(workspace: object, opened: datetime) -> datetime | None:
    """When the plan's response time runs out (None: best effort, no promised time)."""
    hours = support_hours(workspace)
    return None if hours is None else opened + timedelta(hours=hours)


def promise(ticket: SupportTicket) -> str:
    """What the person is told about the reply, in plain words."""
    if ticket.due_at is None:
        return "We reply as soon as we can (best-effort support on your plan)."
    return f"We reply by {ticket.due_at:%d %B %Y, %H:%M} UTC."


async def open_ticket(
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    subject: str,
    body: str,
    *,
    shown: list[Passage] | None = None,
    via: str = "web",
    now: datetime | None = None,
) -> SupportTicket:
    """A new ticket; `shown` are the docs passages the person saw before asking, `via` the
    front they asked on (web, slack)."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise TicketError("say what you need help with: a subject and a message")
    opened = now or utcnow()
    planned = await with_plan(session, workspace)  # the subscription's plan sets the due time
    ticket = SupportTicket(
        workspace_id=workspace.id,
        member_id=member.id,
        email=member.email,
        subject=subject[:200],
        body=body[:10_000],
        conversation=[{"asked": subject, "via": via, "shown": [asdict(p) for p in shown or []]}],
        plan=plan_name(planned),
        created_at=opened,
        due_at=due_at(planned, opened),
    )
    session.add(ticket)
    await session.flush()
    return ticket


async def queue(sessions: async_sessionmaker[AsyncSession]) -> list[SupportTicket]:
    """Every open ticket of the instance, soonest due first; best effort (no due time) last."""
    async with sessions() as session:
        query = select(SupportTicket).where(SupportTicket.status == "open")
        tickets = list((await session.exec(query)).all())
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(tickets, key=lambda t: (t.due_at or far, t.created_at))


def needs_alert(ticket: SupportTicket, now: datetime) -> str | None:
    """ "overdue", "due soon", or None."""
    if ticket.status != "open" or ticket.due_at is None:
        return None
    if ticket.due_at <= now:
        return "overdue"
    return "due soon" if ticket.due_at - now <= DUE_SOON else None


async def workspace_tickets(session: AsyncSession, workspace_id: str) -> list[SupportTicket]:
    """A workspace's tickets, newest first."""
    query = (
        select(SupportTicket)
        .where(SupportTicket.workspace_id == workspace_id)
        .order_by(col(SupportTicket.created_at).desc())
    )
    return list((await session.exec(query)).all())
