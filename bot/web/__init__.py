"""The web app: sign-in, chat quickstart and dashboard pages, served by the same FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from bot.web.auth import SignInRequired, sign_in_redirect
from bot.web.pages import (
    account,
    analytics,
    approval_links,
    approvals,
    audit,
    chat,
    editor,
    growth,
    health,
    help,
    library,
    live,
    password,
    public,
    runs,
    team,
    trial,
    workspace,
)
from bot.web.render import STATIC


def install(app: FastAPI) -> None:
    """Mount the static files and every page router on `app`."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, exc: SignInRequired) -> RedirectResponse:
        return sign_in_redirect(exc)

    pages = (account, password, chat, library, editor, approval_links, approvals, runs)
    more = (analytics, health, live)
    for module in (*pages, *more, team, trial, workspace, audit, public, help, growth):
        app.include_router(module.router)
