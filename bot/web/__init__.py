"""The web app: sign-in, chat quickstart and dashboard pages, served by the same FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from accounts.web_auth import anyone_can_sign_in
from bot.web.auth import SignInRequired, sign_in_redirect
from bot.web.pages import (
    account,
    analytics,
    approval_links,
    approvals,
    audit,
    billing,
    chat,
    clients,
    connections,
    contacts,
    editor,
    growth,
    health,
    help,
    library,
    live,
    messages,
    notifications,
    password,
    pricing,
    profile,
    public,
    runs,
    settings,
    switch,
    team,
    trial,
    workspace,
)
from bot.web.render import STATIC


def install(app: FastAPI) -> None:
    """Mount the static files and every page router on `app`."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> RedirectResponse:
        async with request.app.state.runtime.sessions() as session:
            if not await anyone_can_sign_in(session):  # a fresh install: nobody to sign in as
                return RedirectResponse("/signup", status_code=303)
        return sign_in_redirect(exc)

    pages = (account, password, chat, library, editor, approval_links, approvals, runs)
    more = (analytics, health, live, messages, contacts)
    mine = (connections, settings, notifications, profile)
    lifecycle = (workspace, audit, public, help, growth)
    agency = (clients, switch)
    for module in (*pages, *more, team, trial, *mine, pricing, billing, *agency, *lifecycle):
        app.include_router(module.router)
