"""One-time messages after an action ("Paused.", "Approved."), carried by a short-lived cookie.

An action answers with `flash_redirect` (or `flash_answer`, which gives our scripts JSON instead);
`render` picks the message up for the next page and drops the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from accounts.limits import OverLimit

FLASH_COOKIE = "levqor_flash"


@dataclass(frozen=True)
class Flash:
    """A message shown once at the top of the next page."""

    kind: str  # "ok" or "error"
    message: str


def flash_redirect(url: str, message: str, kind: str = "ok") -> RedirectResponse:
    """303 to `url`, carrying a one-time message."""
    response = RedirectResponse(url, status_code=303)
    value = quote(f"{'error' if kind == 'error' else 'ok'}:{message}", safe="")
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", path="/")
    return response


def wants_json(request: Request) -> bool:
    """Whether the request came from our script (fetch) rather than a plain form post."""
    return request.headers.get("x-requested-with") == "fetch"


def flash_answer(
    request: Request, back: str, message: str, *, ok: bool = True, **data: Any
) -> Response:
    """After an action: JSON for our script, else a redirect to `back` carrying the message."""
    if wants_json(request):
        if ok:
            return JSONResponse({"message": message, **data})
        return JSONResponse({"error": {"code": "conflict", "message": message}}, status_code=409)
    return flash_redirect(back, message, "ok" if ok else "error")


def refused_by_plan(request: Request, exc: OverLimit) -> Response:
    """Work the plan does not admit: our script gets 402 with the machine-readable reason (as the
    API answers); a page request gets the plan-limit page with the upgrade link."""
    if not wants_json(request):
        raise exc  # the app's handler renders the plan-limit page (402)
    refusal = exc.refusal
    details = {"reason": refusal.reason, "upgrade_url": refusal.upgrade_url}
    body = {"code": refusal.reason, "message": str(exc), "details": details}
    return JSONResponse({"error": body}, status_code=402)


def take_flash(request: Request) -> Flash | None:
    """The message the last action left for this page, if any."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition(":")
    return Flash("error" if kind == "error" else "ok", message[:500]) if message else None


def forget_flash(response: Response) -> None:
    """Drop the cookie once its message has been shown."""
    response.delete_cookie(FLASH_COOKIE, path="/")
