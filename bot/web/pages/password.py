"""Forgotten passwords: ask for a reset link by email, and set a new password through one."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from accounts.account_mail import AccountMail, send_account_mail
from accounts.password_reset import (
    LINK_MINUTES,
    ResetLinkError,
    login_for_token,
    reset_link,
    set_password,
)
from accounts.web_auth import EMAIL_PATTERN, SignUpError, open_session
from bot.api.deps import RuntimeDep, SessionDep
from bot.throttle.deps import limiter_of, source_of
from bot.web.auth import (
    CsrfChecked,
    OptionalUser,
    is_secure,
    pre_auth_csrf,
    set_csrf_cookie,
    set_session_cookie,
)
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.models import WebLogin, Workspace

log = logging.getLogger("levqor.web")
router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
ONE_MAIL_PER_SECONDS = 15 * 60  # asking again within this window re-sends nothing


def _page(
    request: Request,
    runtime: RuntimeDep,
    user: OptionalUser,
    name: str,
    title: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    token = user.csrf_token if user is not None else pre_auth_csrf(request)
    response = render(request, name, status=status, title=title, csrf_token=token, **context)
    if user is None:
        set_csrf_cookie(response, token, secure=is_secure(request, runtime))
    return response


def _mail_text(link: str, email: str) -> str:
    return (
        f"Someone (we hope you) asked to set a new password for the Levqor sign-in {email}.\n\n"
        f"Set it here; the link works once, for {LINK_MINUTES} minutes:\n{link}\n\n"
        "If you did not ask, ignore this email: your password stays as it is.\n"
    )


@router.get("/password/forgot")
async def forgot_page(request: Request, runtime: RuntimeDep, user: OptionalUser) -> Response:
    """The "forgot your password?" form."""
    return _page(request, runtime, user, "account/forgot.html", "Forgot your password?")


@router.post("/password/forgot", dependencies=[CsrfChecked])
async def forgot(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: OptionalUser,
    email: Text = "",
) -> Response:
    """Email a reset link if a sign-in uses this address; the answer never says whether one does."""
    address = email.strip().lower()
    limiter = limiter_of(request)
    await limiter.strict("reset_source", source_of(request))
    await limiter.strict("reset_account", address)
    if not EMAIL_PATTERN.match(address):
        errors = {"email": "Enter an email address like you@example.com."}
        return _page(
            request, runtime, user, "account/forgot.html", "Forgot your password?",
            status=422, values={"email": email}, errors=errors,
        )  # fmt: skip
    settings = runtime.settings
    if not settings.smtp_url:
        return _page(
            request, runtime, user, "account/forgot.html", "Forgot your password?",
            status=503, values={"email": email}, no_email=True,
        )  # fmt: skip
    login = (await session.exec(select(WebLogin).where(WebLogin.email == address))).first()
    workspace = await session.get(Workspace, login.workspace_id) if login else None
    if login is not None and workspace is not None:
        link = reset_link(settings, login)
        window = int(time.time() // ONE_MAIL_PER_SECONDS)
        mail = AccountMail(
            to=address,
            subject="Set a new Levqor password",
            text=_mail_text(link, address),
            kept_text=_mail_text("(the link is not kept in this copy)", address),
            key=f"password-reset:{login.id}:{window}",
        )
        result = await send_account_mail(
            settings, runtime.sessions, runtime.http, workspace, mail, park=False
        )
        if result.delivered == "failed":
            log.warning("could not email a password reset link: %s", result.problem)
    return _page(request, runtime, user, "account/forgot.html", "Check your email", sent_to=address)


@router.get("/password/reset/{token}")
async def reset_page(
    request: Request, runtime: RuntimeDep, session: SessionDep, user: OptionalUser, token: str
) -> Response:
    """The new-password form behind a reset link (or why the link no longer works)."""
    try:
        login = await login_for_token(session, runtime.settings, token)
    except ResetLinkError as exc:
        return _page(request, runtime, user, "account/reset.html", "Link not valid",
                     status=410, problem=str(exc))  # fmt: skip
    return _page(request, runtime, user, "account/reset.html", "Set a new password",
                 token=token, email=login.email)  # fmt: skip


@router.post("/password/reset/{token}", dependencies=[CsrfChecked])
async def reset(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: OptionalUser,
    token: str,
    password: Text = "",
    again: Text = "",
) -> Response:
    """Set the new password, sign out every other browser, and sign this one in."""
    try:
        login = await login_for_token(session, runtime.settings, token)
    except ResetLinkError as exc:
        return _page(request, runtime, user, "account/reset.html", "Link not valid",
                     status=410, problem=str(exc))  # fmt: skip
    try:
        if password != again:
            raise SignUpError("again", "The two passwords are not the same.")
        await set_password(session, login, password)
    except SignUpError as exc:
        return _page(request, runtime, user, "account/reset.html", "Set a new password",
                     status=422, token=token, email=login.email,
                     errors={exc.field: str(exc)})  # fmt: skip
    cookie = await open_session(session, login)
    await session.commit()
    response = flash_redirect(
        "/workflows", "Your new password is set. Other browsers were signed out."
    )
    set_session_cookie(response, cookie, secure=is_secure(request, runtime))
    return response
