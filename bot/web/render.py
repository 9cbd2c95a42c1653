"""Server-side rendering: one Jinja2 environment (autoescaped) for every web page."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from accounts.web_auth import WebUser
from bot.web.flash import forget_flash, take_flash

WEB = Path(__file__).parent
STATIC = WEB / "static"
templates = Jinja2Templates(directory=WEB / "templates")


def localtime(moment: datetime | None, timezone: str | None) -> str:
    """A UTC moment as the workspace's wall-clock time, e.g. "3 Dec 2026, 14:05 CET"."""
    if moment is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


templates.env.filters["localtime"] = localtime

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Chat"),
    ("/workflows", "Workflows"),
    ("/templates", "Templates"),
    ("/approvals", "Approvals"),
    ("/runs", "Runs"),
    ("/messages", "Messages"),
    ("/contacts", "Contacts"),
    ("/analytics", "Analytics"),
    ("/health", "Health"),
    ("/team", "Team"),
    ("/connections", "Connections"),
    ("/settings", "Settings"),
    ("/billing", "Billing"),
)


def _active(path: str) -> str:
    if path == "/":
        return "/"
    matches = [href for href, _ in NAV if href != "/" and path.startswith(href)]
    return max(matches, key=len, default="")


def render(
    request: Request,
    name: str,
    user: WebUser | None = None,
    *,
    status: int = 200,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    """Render page `name` in the site layout; `user` fills the header and the CSRF token.

    A one-time message left by the last action (`bot.web.flash`) is passed as `flash` and dropped.
    """
    flash = take_flash(request)
    values = {
        "flash": flash,
        "user": user,
        "csrf_token": user.csrf_token if user else context.pop("csrf_token", ""),
        "nav": NAV,
        "active": _active(request.url.path),
        "bell": getattr(request.state, "bell", None),
        "title": title,
        **context,
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    if flash is not None:
        forget_flash(response)
    return response


def wants_page(request: Request) -> bool:
    """Whether an error should be answered with a page (a browser navigating, not a script)."""
    path = request.url.path
    if path.startswith(("/api/", "/hooks/", "/slack/", "/inbound/", "/f/", "/u/", "/static/")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept and request.headers.get("x-requested-with") != "fetch"


def error_page(request: Request, status: int, message: str) -> Response | None:
    """The site's error page for a browser's page request (None lets the API answer in JSON)."""
    if not wants_page(request):
        return None
    titles = {
        402: "Plan limit reached",
        403: "Not allowed",
        404: "Page not found",
        409: "Already changed",
    }
    return render(
        request,
        "error.html",
        getattr(request.state, "web_user", None),
        status=status,
        title=titles.get(status, "Something went wrong"),
        message=message if status != 404 else "There is nothing here, or it is not yours to see.",
        upgrade_url="/billing" if status == 402 else None,
    )
