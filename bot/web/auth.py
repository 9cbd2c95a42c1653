"""Web authentication: the session cookie, the signed-in user, and CSRF checks.

Pages depend on `PageUser` (a visitor without a session is redirected to `/signin?next=...`);
scripts' JSON/stream endpoints on `ApiUser` (401 instead of a redirect). Every unsafe request
depends on `csrf`: the token comes in the `csrf_token` form field or the `X-CSRF-Token` header and
must equal the session's token (or, before sign-in, the `levqor_csrf` cookie it was issued with).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from accounts.billing import notice as billing_notice
from accounts.web_auth import SESSION_DAYS, WebUser, resolve_session
from bot.api.deps import RuntimeDep, SessionDep
from bot.throttle.deps import count_request
from bot.web.acting import ACTING_COOKIE, acting_user
from bot.web.flash import flash_redirect
from storage.compare import same_secret
from storage.scope import Tenant
from workflows.notifications import bell_count
from workflows.runtime import Runtime

SESSION_COOKIE = "levqor_session"
CSRF_COOKIE = "levqor_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class WorkspaceDeleted(SignInRequired):
    """A page of a deleted workspace: the handler sends the user to the restore page."""


class ActingEnded(SignInRequired):
    """The client workspace this browser acted in is no longer linked to the agency: the
    handler forgets the choice and sends the user back to the agency's client overview."""


def sign_in_redirect(exc: SignInRequired) -> RedirectResponse:
    """303 to the sign-in page, coming back to where the visitor was going."""
    if isinstance(exc, ActingEnded):
        response = flash_redirect("/clients", exc.next_url, "error")
        response.delete_cookie(ACTING_COOKIE, path="/")
        return response
    if isinstance(exc, WorkspaceDeleted):
        return RedirectResponse("/workspace/deleted", status_code=303)
    return RedirectResponse(f"/signin?next={quote(exc.next_url, safe='/')}", status_code=303)


def is_secure(request: Request, runtime: Runtime) -> bool:
    """Whether cookies get the `Secure` flag: on HTTPS, or when the public URL is HTTPS."""
    return request.url.scheme == "https" or runtime.settings.public_url.startswith("https://")


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure on HTTPS, for the session's lifetime."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


async def optional_user(request: Request, session: SessionDep) -> WebUser | None:
    """The signed-in user, or None."""
    token = request.cookies.get(SESSION_COOKIE, "")
    user = await resolve_session(session, token) if token else None
    if user is not None:  # an agency member may act in one of its clients (`bot.web.acting`)
        user, ended = await acting_user(request, session, user, request.cookies.get(ACTING_COOKIE))
        if ended is not None:
            raise ActingEnded(ended)
    request.state.web_user = user  # the error page shows the header for a signed-in user
    if user is not None:
        await count_request(request, user.workspace.id, user.member.id)
        request.state.billing_notice = await billing_notice(session, user.workspace.id)
    return user


OptionalUser = Annotated[WebUser | None, Depends(optional_user)]


async def page_user(request: Request, user: OptionalUser) -> WebUser:
    """The signed-in user of a page; visitors are sent to sign in."""
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    if user.workspace.deleted_at is not None:
        raise WorkspaceDeleted(request.url.path)
    return user


async def api_user(user: OptionalUser) -> WebUser:
    """The signed-in user of a script's request; 401 without a session."""
    if user is None:
        raise HTTPException(401, "sign in first")
    if user.workspace.deleted_at is not None:
        raise HTTPException(410, "this workspace is deleted; an owner can restore it")
    return user


PageUser = Annotated[WebUser, Depends(page_user)]
ApiUser = Annotated[WebUser, Depends(api_user)]


def pre_auth_csrf(request: Request) -> str:
    """The CSRF token for the sign-in/up forms (the cookie's, or a new one to set)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> None:
    """Issue the pre-sign-in CSRF cookie."""
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


async def csrf(request: Request, user: OptionalUser) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (403)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    expected = user.csrf_token if user is not None else request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not same_secret(sent, expected):
        raise HTTPException(403, "the form expired or came from another site: reload and retry")


CsrfChecked = Depends(csrf)


@dataclass
class WebContext:
    """What a signed-in page handler works with: the user, their workspace's tenant, the runtime."""

    user: WebUser
    tenant: Tenant
    runtime: Runtime


async def _context(
    request: Request, user: PageUser, session: SessionDep, runtime: RuntimeDep
) -> WebContext:
    tenant = Tenant(session, user.workspace.id)
    request.state.bell = await bell_count(tenant, user.member)  # the header's bell shows it
    return WebContext(user, tenant, runtime)


async def _api_context(user: ApiUser, session: SessionDep, runtime: RuntimeDep) -> WebContext:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop for every request
    return WebContext(user, Tenant(session, user.workspace.id), runtime)


PageContext = Annotated[WebContext, Depends(_context)]
ApiContext = Annotated[WebContext, Depends(_api_context)]
