"""The notifications page: what the header's bell counts, each with a link to fix it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.web.auth import PageContext
from bot.web.render import render
from workflows.notifications import notices_for

router = APIRouter(include_in_schema=False)
ACTIONS = {
    "approval": "Review it",
    "failure": "See what went wrong",
    "connection": "Fix the connection",
    "recovery": "See the run",
}


@router.get("/notifications")
async def notifications_page(request: Request, ctx: PageContext) -> Response:
    """Waiting approvals, failing workflows and connection problems, newest first."""
    notices = await notices_for(ctx.tenant, ctx.user.member)
    return render(
        request,
        "notifications/index.html",
        ctx.user,
        title="Notifications",
        notices=notices,
        actions=ACTIONS,
    )
