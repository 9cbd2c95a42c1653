"""HTTP mode: every Slack request at `POST /slack/events`, plus the OAuth install routes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from bot.api.errors import error_body
from bot.slack.app import INSTALL_PATH, REDIRECT_PATH, create_bolt_app, slack_configured
from storage.config import Settings
from workflows.runtime import Runtime

NOT_CONFIGURED = "Slack is not configured (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)"


def slack_router(settings: Settings) -> APIRouter:
    """Routes handing Slack's requests to the Bolt app (built on first use from the runtime)."""
    router = APIRouter(tags=["slack"], include_in_schema=False)

    def handler(request: Request) -> AsyncSlackRequestHandler | None:
        if not slack_configured(settings):
            return None
        found: AsyncSlackRequestHandler | None = getattr(request.app.state, "slack", None)
        if found is None:
            runtime: Runtime = request.app.state.runtime
            found = AsyncSlackRequestHandler(create_bolt_app(settings, runtime))
            request.app.state.slack = found
        return found

    async def handle(request: Request) -> Response:
        slack = handler(request)
        if slack is None:
            return Response(NOT_CONFIGURED, status_code=404, media_type="text/plain")
        stamp = request.headers.get("x-slack-request-timestamp")
        if request.method == "POST" and not (stamp or "").strip().isdigit():
            return JSONResponse(
                error_body("unauthorized", "missing or malformed X-Slack-Request-Timestamp"),
                status_code=401,
            )
        return await slack.handle(request)

    router.add_api_route("/slack/events", handle, methods=["POST"])
    router.add_api_route(INSTALL_PATH, handle, methods=["GET"])
    router.add_api_route(REDIRECT_PATH, handle, methods=["GET"])
    return router
