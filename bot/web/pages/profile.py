"""The Account page: change your password or sign-in email, sign out everywhere."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accounts.account_changes import (
    AccountError,
    change_email,
    change_password,
    sign_out_everywhere,
)
from bot.web.auth import SESSION_COOKIE, CsrfChecked, PageContext, WebContext, clear_session_cookie
from bot.web.flash import flash_redirect
from bot.web.render import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _page(request: Request, ctx: WebContext, *, status: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request, "account/index.html", ctx.user, status=status, title="Your account", **context
    )


@router.get("/account")
async def account_page(request: Request, ctx: PageContext) -> Response:
    """Who you are here, and the forms to change your password and email."""
    return _page(request, ctx)


@router.post("/account/password", dependencies=[CsrfChecked])
async def new_password(
    request: Request, ctx: PageContext, current: Text = "", new: Text = ""
) -> Response:
    """Set a new password; your other browsers are signed out."""
    keep = request.cookies.get(SESSION_COOKIE, "")
    try:
        await change_password(ctx.tenant.session, ctx.user.login, current, new, keep)
    except AccountError as exc:
        return _page(request, ctx, status=422, password_errors={exc.field: str(exc)})
    await ctx.tenant.session.commit()
    return flash_redirect("/account", "Your password is changed. Other browsers were signed out.")


@router.post("/account/email", dependencies=[CsrfChecked])
async def new_email(
    request: Request, ctx: PageContext, email: Text = "", current: Text = ""
) -> Response:
    """Sign in with another email from now on."""
    try:
        address = await change_email(
            ctx.tenant.session, ctx.user.login, ctx.user.member, email, current
        )
    except AccountError as exc:  # refused before anything changed
        return _page(
            request, ctx, status=422, email_errors={exc.field: str(exc)}, typed_email=email
        )
    await ctx.tenant.session.commit()
    return flash_redirect("/account", f"You now sign in as {address}.")


@router.post("/account/sign-out-everywhere", dependencies=[CsrfChecked])
async def everywhere(ctx: PageContext) -> Response:
    """End every signed-in browser, this one too."""
    await sign_out_everywhere(ctx.tenant.session, ctx.user.login)
    await ctx.tenant.session.commit()
    response = RedirectResponse("/signin", status_code=303)
    clear_session_cookie(response)
    return response
