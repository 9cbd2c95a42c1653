"""Web page: `/clients` — an agency's client workspaces with their figures; add and unlink."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from accounts import agencies, limits
from bot.web.auth import CsrfChecked, PageContext, WebContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.models import Workspace

router = APIRouter(include_in_schema=False)


def _agency(ctx: WebContext) -> Workspace:
    """The agency's own workspace, also while its member acts in one of its clients."""
    return ctx.user.home or ctx.user.workspace


@router.get("/clients", response_class=HTMLResponse)
async def clients_page(request: Request, ctx: PageContext) -> HTMLResponse:
    """Each client's workflows, failed runs this week and runs this month."""
    rows = await agencies.overview(ctx.tenant.session, _agency(ctx))
    refusal = await limits.check(ctx.tenant.session, _agency(ctx).id, "client")
    return render(
        request,
        "billing/clients.html",
        ctx.user,
        title="Clients",
        rows=rows,
        may_manage=ctx.user.member.role in agencies.MANAGERS,
        refusal=refusal,
    )


@router.post("/clients", dependencies=[CsrfChecked])
async def add_client(ctx: PageContext, name: Annotated[str, Form()] = "") -> Response:
    """Add a client workspace (over the plan: the upgrade page)."""
    try:
        client = await agencies.create_client(
            ctx.tenant.session, _agency(ctx), ctx.user.member, name
        )
    except agencies.AgencyError as exc:
        return flash_redirect("/clients", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/clients", f"Added {client.name}.")


@router.post("/clients/{slug}/unlink", dependencies=[CsrfChecked])
async def unlink_client(slug: str, ctx: PageContext) -> Response:
    """Unlink a client: the agency's access ends at once."""
    try:
        client = await agencies.unlink(ctx.tenant.session, _agency(ctx), ctx.user.member, slug)
    except agencies.AgencyError as exc:
        return flash_redirect("/clients", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/clients", f"Unlinked {client.name}: your agency no longer has access.")
