"""The audit log page (owners and admins): who did what, when; and its CSV download."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from accounts import audit
from bot.web.auth import PageContext, WebContext
from bot.web.render import render
from storage.models import Role

router = APIRouter(include_in_schema=False)


def _require_reader(ctx: WebContext) -> None:
    if ctx.user.member.role not in (Role.owner, Role.admin):
        raise HTTPException(403, "Only owners and admins can read the audit log.")


@router.get("/audit")
async def audit_page(request: Request, ctx: PageContext, before: int | None = None) -> HTMLResponse:
    """A page of the audit log, newest first."""
    _require_reader(ctx)
    rows = await audit.entries(ctx.tenant, before=before)
    return render(
        request,
        "audit/index.html",
        ctx.user,
        title="Audit log",
        entries=rows,
        older=rows[-1].id if len(rows) == audit.PAGE else None,
    )


@router.get("/audit.csv")
async def audit_csv(ctx: PageContext) -> Response:
    """The whole audit log as CSV."""
    _require_reader(ctx)
    rows = await audit.entries(ctx.tenant, limit=100_000)
    return Response(
        audit.as_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="levqor-audit.csv"'},
    )
