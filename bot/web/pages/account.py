"""Sign-up, sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accounts import referrals
from accounts.web_auth import SignUpError, close_session, open_session, sign_in, sign_up
from bot.api.deps import RuntimeDep, SessionDep
from bot.throttle.deps import limiter_of, source_of
from bot.web.auth import (
    SESSION_COOKIE,
    CsrfChecked,
    OptionalUser,
    clear_session_cookie,
    is_secure,
    pre_auth_csrf,
    set_csrf_cookie,
    set_session_cookie,
)
from bot.web.render import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: `next=https://evil.example` and `//evil` go home instead."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _form(
    request: Request,
    runtime: RuntimeDep,
    name: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    token = pre_auth_csrf(request)
    title = "Create your workspace" if name == "account/signup.html" else "Sign in"
    response = render(request, name, status=status, title=title, csrf_token=token, **context)
    set_csrf_cookie(response, token, secure=is_secure(request, runtime))
    return response


@router.get("/signup")
async def signup_page(
    request: Request, runtime: RuntimeDep, user: OptionalUser, next: str | None = None
) -> Response:
    """The sign-up form (a signed-in visitor goes straight on)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form(request, runtime, "account/signup.html", next=_safe_next(next), values={})


@router.post("/signup", dependencies=[CsrfChecked])
async def signup(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    workspace: Text = "",
    name: Text = "",
    email: Text = "",
    password: Text = "",
    next: Text = "/",
) -> Response:
    """Create the workspace, its owner and a session; on a problem, the form again with it."""
    await limiter_of(request).strict("signup_source", source_of(request))
    try:
        login = await sign_up(
            session,
            workspace_name=workspace,
            name=name,
            email=email,
            password=password,
            trial=runtime.settings.stripe_billing_secret_key is not None,
        )
    except SignUpError as exc:
        values = {"workspace": workspace, "name": name, "email": email}
        return _form(
            request,
            runtime,
            "account/signup.html",
            status=422,
            next=_safe_next(next),
            values=values,
            errors={exc.field: str(exc)},
        )
    if code := request.cookies.get(referrals.COOKIE):  # came through a referral link
        await referrals.attribute_signup(session, code, login.workspace_id)
    token = await open_session(session, login)
    await session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, token, secure=is_secure(request, runtime))
    response.delete_cookie(referrals.COOKIE, path="/")
    return response


@router.get("/signin")
async def signin_page(
    request: Request, runtime: RuntimeDep, user: OptionalUser, next: str | None = None
) -> Response:
    """The sign-in form."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form(request, runtime, "account/signin.html", next=_safe_next(next), values={})


@router.post("/signin", dependencies=[CsrfChecked])
async def signin(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    email: Text = "",
    password: Text = "",
    next: Text = "/",
) -> Response:
    """Check the password and open a session; one message for any wrong combination."""
    limiter = limiter_of(request)
    await limiter.strict("signin_source", source_of(request))
    await limiter.strict("signin_account", email.strip().lower())
    login = await sign_in(session, email, password)
    if login is None:
        return _form(
            request,
            runtime,
            "account/signin.html",
            status=401,
            next=_safe_next(next),
            values={"email": email},
            problem="That email and password do not match an account.",
        )
    if code := request.cookies.get(referrals.COOKIE):  # came through a referral link
        await referrals.attribute_signup(session, code, login.workspace_id)
    token = await open_session(session, login)
    await session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, token, secure=is_secure(request, runtime))
    response.delete_cookie(referrals.COOKIE, path="/")
    return response


@router.post("/signout", dependencies=[CsrfChecked])
async def signout(request: Request, session: SessionDep) -> Response:
    """End this browser's session."""
    await close_session(session, request.cookies.get(SESSION_COOKIE, ""))
    await session.commit()
    response = RedirectResponse("/signin", status_code=303)
    clear_session_cookie(response)
    return response
