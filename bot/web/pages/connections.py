"""The Connections page: each integration connected, tested ("Send a test") and disconnected.

Also Google's consent round trip (`/connections/google/start` → Google → `…/callback`) and the
link that verifies a workspace's own email sender. Secrets are typed in, never shown again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.api.deps import RuntimeDep, SessionDep
from bot.slack.app import BOT_SCOPES, REDIRECT_PATH
from bot.slack.connect import authorize_url, state_cookie
from bot.slack.deps import multi_workspace
from bot.slack.installations import DatabaseStateStore
from bot.web.auth import CsrfChecked, PageContext, WebContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from integrations import (
    connection_checks,
    connection_store,
    connections,
    google_oauth,
    hubspot_oauth,
)
from integrations.email_connection import verify_sender
from integrations.google_access import complete_consent
from storage.models import Role

router = APIRouter(include_in_schema=False)
_MANAGERS = (Role.owner, Role.admin)
_FIELDS = {
    "stripe": ("api_key", "webhook_secret"),
    "hubspot": ("token",),
    "email": ("mode", "host", "port", "security", "username", "password", "sender"),
}


def _back(integration: str | None = None) -> str:
    return f"/connections#{integration}" if integration else "/connections"


def _may_manage(ctx: WebContext) -> bool:
    return ctx.user.member.role in _MANAGERS


@router.get("/connections")
async def connections_page(request: Request, ctx: PageContext) -> HTMLResponse:
    """Every integration with its status in words, and what to do next."""
    settings = ctx.runtime.settings
    views = await connections.list_views(ctx.tenant.session, ctx.user.workspace, settings)
    return render(
        request,
        "connections/index.html",
        ctx.user,
        title="Connections",
        views=views,
        may_manage=_may_manage(ctx),
        may_test=ctx.user.member.role in (*_MANAGERS, Role.operator),
        google_ready=google_oauth.configured(settings),
        hubspot_oauth_ready=hubspot_oauth.configured(settings),
        slack_install="/connections/slack/start",
        slack_oauth=bool(settings.slack_client_id and settings.slack_client_secret),
    )


def _form_data(integration: str, form: dict[str, Any]) -> dict[str, Any]:
    """The posted fields as the service's form (blank fields left out: a saved secret stays)."""
    if integration == "http":
        remove = [str(form["remove"])] if form.get("remove") else []
        if remove:
            return {"remove": remove}
        secret = {k: str(form.get(k, "")).strip() for k in ("name", "header", "scheme", "value")}
        return {"secrets": [{k: v for k, v in secret.items() if v}]}
    return {
        k: str(form[k]).strip()
        for k in _FIELDS.get(integration, ())
        if str(form.get(k, "")).strip()
    }


@router.post("/connections/{integration}", dependencies=[CsrfChecked])
async def save_connection(integration: str, request: Request, ctx: PageContext) -> Response:
    """Save a connection from its card's form; a problem is said in words and nothing is lost."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    session = ctx.tenant.session
    data = _form_data(integration, dict(await request.form()))
    try:
        view = await connection_store.save(
            session, ctx.user.workspace, integration, data, ctx.runtime.settings, ctx.user.member.id
        )
    except connections.ConnectionProblem as exc:
        await session.rollback()
        return flash_redirect(_back(integration), str(exc), "error")
    await session.commit()
    note = f"Saved {view.label}."
    if view.status == connections.UNVERIFIED:
        note += " Send a test: we mail a link to the sender address to verify it."
    return flash_redirect(_back(integration), note)


@router.post("/connections/{integration}/test", dependencies=[CsrfChecked])
async def test_connection(integration: str, ctx: PageContext) -> Response:
    """ "Send a test": a real, harmless call, and what came of it."""
    if integration not in connections.LABELS:
        return flash_redirect(_back(), "There is no such connection.", "error")
    if ctx.user.member.role not in (*_MANAGERS, Role.operator):
        return flash_redirect(_back(), "Viewers cannot send tests.", "error")
    runtime = ctx.runtime
    result = await connection_checks.send_test(
        ctx.tenant.session, ctx.user.workspace, integration, runtime.settings, runtime.http,
        ctx.user.member,
    )  # fmt: skip
    await ctx.tenant.session.commit()
    return flash_redirect(_back(integration), result.message, "ok" if result.ok else "error")


@router.post("/connections/{integration}/disconnect", dependencies=[CsrfChecked])
async def disconnect_connection(integration: str, ctx: PageContext) -> Response:
    """Disconnect: the connection and its saved secrets are deleted."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    try:
        removed = await connection_store.disconnect(
            ctx.tenant.session, ctx.user.workspace, integration, ctx.user.member.id
        )
    except connections.ConnectionProblem as exc:
        return flash_redirect(_back(), str(exc), "error")
    await ctx.tenant.session.commit()
    label = connections.LABELS[integration]
    if not removed:
        return flash_redirect(_back(integration), f"{label} was not connected.", "error")
    return flash_redirect(
        _back(integration), f"Disconnected {label}; its saved secrets are deleted."
    )


@router.get("/connections/slack/start")
async def slack_start(ctx: PageContext) -> Response:
    """ "Connect Slack": off to Slack's consent page, with a single-use state naming this
    workspace, so the install is stored here (and not as a new workspace)."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    settings = ctx.runtime.settings
    if not multi_workspace(settings):
        return flash_redirect(
            _back("slack"),
            "Slack cannot be connected from here yet: an operator must first set "
            "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET.",
            "error",
        )
    states = DatabaseStateStore(ctx.runtime.sessions)
    state = await states.issue_for(ctx.user.workspace.id, ctx.user.member.id)
    url = authorize_url(settings, REDIRECT_PATH, BOT_SCOPES, state)
    response = RedirectResponse(url, status_code=303)
    response.headers.append("set-cookie", state_cookie(state))
    return response


@router.get("/connections/google/start")
async def google_start(ctx: PageContext) -> Response:
    """Off to Google's consent page for this workspace."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    try:
        url = google_oauth.authorize_url(ctx.runtime.settings, ctx.user.workspace.id)
    except google_oauth.GoogleAuthError as exc:
        return flash_redirect(_back("google"), str(exc), "error")
    return RedirectResponse(url, status_code=303)


@router.get("/connections/google/callback")
async def google_callback(
    ctx: PageContext, code: str = "", state: str = "", error: str = ""
) -> Response:
    """Google sends the person back here: finish connecting, in the workspace they are in."""
    if not _may_manage(ctx):  # the state names the workspace; only a manager may connect it
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    if error or not code:
        return flash_redirect(
            _back("google"), "Google Sheets was not connected: access was not allowed.", "error"
        )
    session, runtime = ctx.tenant.session, ctx.runtime
    try:
        await complete_consent(
            session, ctx.user.workspace.id, state, code, runtime.settings, runtime.http,
            ctx.user.member.id,
        )  # fmt: skip
    except google_oauth.GoogleAuthError as exc:
        await session.rollback()
        return flash_redirect(_back("google"), str(exc), "error")
    await session.commit()
    return flash_redirect(_back("google"), "Connected Google Sheets.")


@router.get("/connections/hubspot/start")
async def hubspot_start(ctx: PageContext) -> Response:
    """Off to HubSpot to pick an account and allow Levqor in, for this workspace."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    try:
        url = hubspot_oauth.authorize_url(ctx.runtime.settings, ctx.user.workspace.id)
    except hubspot_oauth.HubSpotAuthError as exc:
        return flash_redirect(_back("hubspot"), str(exc), "error")
    return RedirectResponse(url, status_code=303)


@router.get("/connections/hubspot/callback")
async def hubspot_callback(
    ctx: PageContext, code: str = "", state: str = "", error: str = ""
) -> Response:
    """HubSpot sends the person back here: finish connecting, in the workspace they are in."""
    if not _may_manage(ctx):
        return flash_redirect(_back(), "Only an owner or admin can change connections.", "error")
    if error or not code:
        return flash_redirect(
            _back("hubspot"), "HubSpot was not connected: access was not allowed.", "error"
        )
    session, runtime = ctx.tenant.session, ctx.runtime
    try:
        await hubspot_oauth.complete_consent(
            session, ctx.user.workspace.id, state, code, runtime.settings, runtime.http,
            ctx.user.member.id,
        )  # fmt: skip
    except hubspot_oauth.HubSpotAuthError as exc:
        await session.rollback()
        return flash_redirect(_back("hubspot"), str(exc), "error")
    await session.commit()
    return flash_redirect(_back("hubspot"), "Connected HubSpot.")


@router.get("/connections/email/verify")
async def email_verify(
    request: Request, runtime: RuntimeDep, session: SessionDep, w: str = "", t: str = ""
) -> Response:
    """The link mailed to a workspace's sender address: opening it verifies the sender."""
    sender = await verify_sender(session, w, t, runtime.settings)
    if sender is None:
        return render(
            request, "error.html", None, status=400, title="Link not valid",
            message="This verification link is not valid any more: send a new test from the "
            "Connections page.",
        )  # fmt: skip
    await session.commit()
    return flash_redirect(
        _back("email"), f"Verified {sender}: Levqor now sends your email from it."
    )
