"""Web pages: the workflow library (placeholder until the library is built)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.auth import PageUser
from bot.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/workflows")
async def workflows_page(request: Request, user: PageUser) -> HTMLResponse:
    """The workflow library."""
    return render(request, "error.html", user, title="Workflows", message="Workflows")
