"""The Messages page: every Slack and email message with its status in words, and "Send now"."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.web.auth import CsrfChecked, PageContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from workflows import messages, policy, service
from workflows.errors import DomainError

router = APIRouter(include_in_schema=False)
FILTERS = (("", "All"), ("sent", "Sent"), ("parked", "Not sent yet"), ("failed", "Failed"))


@router.get("/messages")
async def messages_page(request: Request, ctx: PageContext, status: str = "") -> Response:
    """Messages newest first, filtered by status; parked ones can be sent once connected."""
    status = status if status in dict(FILTERS) else ""
    views = await messages.list_messages(ctx.tenant, ctx.runtime.settings, status=status or None)
    connected = await messages.connected_channels(
        ctx.tenant.session, ctx.runtime.settings, ctx.tenant.workspace_id
    )
    return render(
        request,
        "messages/index.html",
        ctx.user,
        title="Messages",
        messages=views,
        chosen=status,
        filters=[(value, label, _link(value)) for value, label in FILTERS],
        connected=connected,
        may_send=policy.may_operate(ctx.user.member.role),
    )


@router.post("/messages/{message_id}/send", dependencies=[CsrfChecked])
async def send_now(message_id: str, ctx: PageContext, status: str = "") -> Response:
    """Send one parked message now; back to the list with what happened."""
    back = _link(status if status in dict(FILTERS) else "")
    try:
        service.require_operator(ctx.user.member, "send messages")
        said = await messages.send_now(
            ctx.runtime.sessions,
            ctx.runtime.settings,
            ctx.runtime.http,
            ctx.tenant.workspace_id,
            message_id,
        )
    except DomainError as exc:
        return flash_redirect(back, str(exc), "error")
    kind = "error" if said.startswith("Not sent") else "ok"
    return flash_redirect(back, said, kind)


def _link(status: str) -> str:
    return "/messages" + (f"?{urlencode({'status': status})}" if status else "")
