"""Help: answers quoted from the docs, then "Still need help?" opens a ticket; and the operator's
queue of every workspace's tickets (`/admin/support`, instance admins: `LEVQOR_ADMIN_EMAILS`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from accounts import retention, support, support_replies
from accounts.help_search import search
from bot import help_answers
from bot.web.auth import CsrfChecked, PageContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.types import utcnow

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/help")
async def help_page(request: Request, ctx: PageContext, q: str = "") -> HTMLResponse:
    """Search the docs; each answer is the passage itself, with where it comes from (with a
    model configured, first its answer grounded in those passages, citing them)."""
    found = await help_answers.answer(ctx.runtime.settings, q)
    return render(
        request,
        "help/index.html",
        ctx.user,
        title="Help",
        q=found.question,
        answers=found.passages,
        grounded=found.grounded,
        support=retention.support_sentence(
            await retention.with_plan(ctx.tenant.session, ctx.user.workspace)
        ),
        tickets=await support.workspace_tickets(ctx.tenant.session, ctx.user.workspace.id),
    )


@router.post("/help/tickets", dependencies=[CsrfChecked])
async def open_ticket(ctx: PageContext, subject: Text = "", message: Text = "") -> Response:
    """Still need help: a ticket with the docs the person saw attached."""
    try:
        ticket = await support.open_ticket(
            ctx.tenant.session,
            ctx.user.workspace,
            ctx.user.member,
            subject,
            message,
            shown=search(subject),
        )
    except support.TicketError as exc:
        return flash_redirect("/help", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/help", f"Ticket opened: “{ticket.subject}”. {support.promise(ticket)}")


def _instance_admin(ctx: PageContext) -> str:
    """The signed-in instance administrator's email (403 for anyone else)."""
    email = (ctx.user.member.email or "").lower()
    if email not in ctx.runtime.settings.admin_emails:
        raise HTTPException(403, "Only the instance's administrators see the support queue.")
    return email


@router.get("/admin/support")
async def admin_queue(request: Request, ctx: PageContext) -> HTMLResponse:
    """Every open ticket of the instance, soonest due first (instance admins only)."""
    _instance_admin(ctx)
    tickets = await support.queue(ctx.runtime.sessions)
    now = utcnow()
    return render(
        request,
        "help/admin.html",
        ctx.user,
        title="Support queue",
        tickets=[(t, support.needs_alert(t, now)) for t in tickets],
    )


@router.post("/admin/support/{ticket_id}/reply", dependencies=[CsrfChecked])
async def admin_reply(ctx: PageContext, ticket_id: str, reply: Text = "") -> Response:
    """The operator answers a ticket: kept in its thread, emailed to the person who asked."""
    operator = _instance_admin(ctx)
    runtime = ctx.runtime
    async with runtime.sessions() as session:  # any workspace's ticket: not the tenant's session
        try:
            ticket = await support_replies.add_reply(session, ticket_id, reply, operator)
        except support.TicketError as exc:
            return flash_redirect("/admin/support", str(exc), "error")
        await session.commit()
    sent = await support_replies.email_reply(
        runtime.settings, runtime.sessions, runtime.http, ticket, reply.strip()
    )
    where = {
        "email": f"emailed to {ticket.email}",
        "outbox": "kept in the outbox (email is not set up)",
    }.get(sent.delivered, f"not emailed ({sent.problem})")
    return flash_redirect(
        "/admin/support",
        f"Reply to “{ticket.subject}” saved; they see it on Help, and it was {where}.",
    )
