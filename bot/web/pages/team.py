"""The Team page (members, pending invites, the invite form) and the invite link's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from accounts import invites, limits, members
from accounts.invite_mail import MailResult, email_invite
from accounts.web_auth import SignUpError, WebUser, close_session, open_session
from bot.api.deps import RuntimeDep, SessionDep
from bot.throttle.deps import limiter_of
from bot.web.auth import (
    SESSION_COOKIE,
    CsrfChecked,
    OptionalUser,
    PageContext,
    WebContext,
    is_secure,
    pre_auth_csrf,
    set_csrf_cookie,
    set_session_cookie,
)
from bot.web.flash import flash_redirect
from bot.web.render import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
_GONE_STATUS = {"unknown": 404}  # expired, used and revoked links answer 410 Gone


def _mail_note(mail: MailResult, email: str) -> str:
    if mail.delivered == "email":
        return f"We emailed it to {email} too."
    if mail.delivered == "outbox":
        return "Email is not set up (no SMTP), so send it yourself: it is shown only this once."
    return f"Emailing it failed ({mail.problem}), so send it yourself: it is shown only this once."


async def _team_page(request: Request, ctx: WebContext, **context: Any) -> HTMLResponse:
    member = ctx.user.member
    return render(
        request,
        "team/index.html",
        ctx.user,
        title="Team",
        members=await invites.team_members(ctx.tenant),
        pending=await invites.pending_invites(ctx.tenant),
        roles=invites.grantable_roles(member.role),
        may_invite=invites.may_invite(member.role),
        may_manage=members.may_manage(member.role),
        days=invites.INVITE_DAYS,
        **context,
    )


@router.get("/team")
async def team_page(request: Request, ctx: PageContext) -> Response:
    """Members with their roles, pending invites, and (for owners and admins) the invite form."""
    return await _team_page(request, ctx)


@router.post("/team/invites", dependencies=[CsrfChecked])
async def invite(request: Request, ctx: PageContext, email: Text = "", role: Text = "") -> Response:
    """Create an invite and show its link once (emailed too when email is set up)."""
    await limiter_of(request).strict("invite_workspace", ctx.user.workspace.id)
    await limits.require(ctx.tenant.session, ctx.tenant.workspace_id, "member")  # 402 page
    try:
        new = await invites.create_invite(ctx.tenant, ctx.user.member, email, role)
    except invites.InviteError as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/team", str(exc), "error")
    await ctx.tenant.session.commit()
    runtime = ctx.runtime
    link = invites.invite_link(runtime.settings.public_url, new.token)
    mail = await email_invite(
        runtime.settings,
        runtime.sessions,
        runtime.http,
        new,
        ctx.user.workspace,
        ctx.user.member.name,
        link,
    )
    return await _team_page(
        request,
        ctx,
        new_invite=new.invite,
        new_link=link,
        mail_note=_mail_note(mail, new.invite.email),
    )


@router.post("/team/invites/{invite_id}/revoke", dependencies=[CsrfChecked])
async def revoke(invite_id: str, ctx: PageContext) -> Response:
    """Withdraw a pending invite: its link stops working."""
    try:
        revoked = await invites.revoke_invite(ctx.tenant, ctx.user.member, invite_id)
    except invites.InviteError as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/team", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/team", f"Withdrew the invite for {revoked.email}.")


def _invite_form(
    request: Request,
    runtime: RuntimeDep,
    found: invites.OpenInvite,
    token: str,
    user: WebUser | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    # A browser signed in (to this or another workspace) posts with its session's CSRF token.
    csrf = user.csrf_token if user is not None else pre_auth_csrf(request)
    response = render(
        request,
        "team/accept.html",
        status=status,
        title=f"Join {found.workspace.name}",
        csrf_token=csrf,
        invite=found.invite,
        workspace=found.workspace,
        has_login=found.login is not None,
        token=token,
        signed_in_as=user,
        **context,
    )
    if user is None:
        set_csrf_cookie(response, csrf, secure=is_secure(request, runtime))
    return response


def _gone(request: Request, exc: invites.InviteGone) -> HTMLResponse:
    return render(
        request,
        "error.html",
        getattr(request.state, "web_user", None),
        status=_GONE_STATUS.get(exc.reason, 410),
        title="Invite not valid" if exc.reason == "unknown" else f"Invite {exc.reason}",
        message=str(exc),
    )


@router.get("/invite/{token}")
async def invite_page(
    request: Request, token: str, runtime: RuntimeDep, session: SessionDep, user: OptionalUser
) -> Response:
    """The invitee's page: choose a name and password, or sign in with the existing login."""
    try:
        found = await invites.open_invite(session, token)
    except invites.InviteGone as exc:
        return _gone(request, exc)
    return _invite_form(request, runtime, found, token, user, values={})


@router.post("/invite/{token}", dependencies=[CsrfChecked])
async def accept(
    request: Request,
    token: str,
    runtime: RuntimeDep,
    session: SessionDep,
    user: OptionalUser,
    name: Text = "",
    password: Text = "",
) -> Response:
    """Join the workspace and sign in as the new member."""
    try:
        joined = await invites.accept_invite(session, token, name=name, password=password)
    except invites.InviteGone as exc:
        await session.rollback()
        return _gone(request, exc)
    except SignUpError as exc:
        await session.rollback()
        try:
            found = await invites.open_invite(session, token)
        except invites.InviteGone as gone:
            return _gone(request, gone)
        return _invite_form(
            request,
            runtime,
            found,
            token,
            user,
            status=422,
            values={"name": name},
            errors={exc.field: str(exc)},
        )
    except invites.LoginElsewhere as exc:
        await session.rollback()
        return render(
            request, "error.html", status=409, title="Already in a workspace", message=str(exc)
        )
    old = request.cookies.get(SESSION_COOKIE, "")
    if old:
        await close_session(session, old)  # whoever was signed in on this browser is signed out
    session_token = await open_session(session, joined.login)
    await session.commit()
    response = flash_redirect("/workflows", f"Welcome to {joined.workspace.name}.")
    set_session_cookie(response, session_token, secure=is_secure(request, runtime))
    return response


@router.post("/team/members/{member_id}/role", dependencies=[CsrfChecked])
async def change_role(member_id: str, ctx: PageContext, role: Text = "") -> Response:
    """Give a member another role; the workspace's only owner keeps theirs."""
    try:
        member = await members.change_role(ctx.tenant, ctx.user.member, member_id, role)
    except (members.MemberError, members.MemberNotFound) as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/team", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/team", f"{member.name} is now {member.role.value}.")


@router.post("/team/members/{member_id}/remove", dependencies=[CsrfChecked])
async def remove(member_id: str, ctx: PageContext) -> Response:
    """Remove a member: signed out everywhere, their sign-in and API keys gone."""
    try:
        member = await members.remove_member(ctx.tenant, ctx.user.member, member_id)
    except (members.MemberError, members.MemberNotFound) as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/team", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/team", f"Removed {member.name} from the workspace.")
