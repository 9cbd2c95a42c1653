"""Support tickets: ask a person for help; the due time follows the plan's response time."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from accounts import support
from accounts.help_search import search
from bot.api.deps import PrincipalDep, SessionDep
from bot.api.responses import AUTHENTICATED
from storage.models import SupportTicket

router = APIRouter(prefix="/api/support", tags=["support"], responses=AUTHENTICATED)


class TicketIn(BaseModel):
    """What you need help with."""

    subject: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=10_000)


class TicketOut(BaseModel):
    """A ticket, its due time (none: best effort) and what we promised."""

    id: str
    subject: str
    status: str
    created_at: datetime
    due_at: datetime | None
    promise: str

    @classmethod
    def of(cls, ticket: SupportTicket) -> TicketOut:
        return cls(
            id=ticket.id,
            subject=ticket.subject,
            status=ticket.status,
            created_at=ticket.created_at,
            due_at=ticket.due_at,
            promise=support.promise(ticket),
        )


@router.post("/tickets", status_code=201)
async def open_ticket(body: TicketIn, principal: PrincipalDep, session: SessionDep) -> TicketOut:
    """Open a ticket; the docs passages that match the subject are attached for context."""
    try:
        ticket = await support.open_ticket(
            session,
            principal.workspace,
            principal.member,
            body.subject,
            body.message,
            shown=search(body.subject),
        )
    except support.TicketError as exc:
        raise HTTPException(422, str(exc)) from None
    await session.commit()
    return TicketOut.of(ticket)


@router.get("/tickets")
async def list_tickets(principal: PrincipalDep, session: SessionDep) -> list[TicketOut]:
    """The workspace's tickets, newest first."""
    tickets = await support.workspace_tickets(session, principal.workspace.id)
    return [TicketOut.of(t) for t in tickets]
