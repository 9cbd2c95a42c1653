"""Web pages: the chat quickstart (placeholder until the chat is built)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.auth import PageUser
from bot.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def chat_page(request: Request, user: PageUser) -> HTMLResponse:
    """The chat quickstart."""
    return render(request, "error.html", user, title="Chat", message="Chat")
