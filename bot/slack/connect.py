""" "Connect Slack" from a signed-in workspace: Bolt's OAuth flow, with a state that carries the
workspace, so the install is stored for it (and not as a new workspace for the Slack team).

`/connections/slack/start` issues the state (single use, ten minutes, unguessable, in the
database like every install state) and sets Bolt's state cookie; Slack sends the person back to
the usual `/slack/oauth_redirect`, where `ConnectingOAuthFlow` checks both and stores the bot
token for the workspace the state names. The outcome is told on the Connections page in words.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import AuthorizeUrlGenerator
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_utils import OAuthStateUtils

from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore, SlackTeamTaken
from bot.web.flash import FLASH_COOKIE
from storage.config import Settings

CONNECTIONS = "/connections#slack"
CONNECTED_KEY = "levqor_connected_team"
_REASONS = {
    "access_denied": "Slack was not connected: access was not allowed in Slack.",
    "invalid_browser": "Slack was not connected: finish connecting in the same browser that "
    "started it.",
    "invalid_state": "Slack was not connected: this link has expired or was already used.",
    "missing_code": "Slack was not connected: Slack did not send a sign-in code.",
    "invalid_code": "Slack was not connected: Slack did not accept the sign-in code.",
    "storage_error": "Slack was not connected: Levqor could not save the installation.",
}


def authorize_url(settings: Settings, redirect_path: str, scopes: list[str], state: str) -> str:
    """Slack's consent page for our app, coming back to `redirect_path` with `state`."""
    generator = AuthorizeUrlGenerator(
        client_id=settings.slack_client_id or "",
        scopes=scopes,
        redirect_uri=settings.public_url.rstrip("/") + redirect_path,
        authorization_url=settings.slack_authorize_url,
    )
    return generator.generate(state=state)


def state_cookie(state: str) -> str:
    """The `Set-Cookie` value Bolt's callback checks: the browser that started is the one back."""
    return OAuthStateUtils().build_set_cookie_for_new_state(state)


def _flash_redirect(message: str, kind: str) -> BoltResponse:
    flash = quote(f"{kind}:{message}", safe="")
    return BoltResponse(
        status=303,
        body="",
        headers={
            "Location": CONNECTIONS,
            "Set-Cookie": [
                f"{FLASH_COOKIE}={flash}; Max-Age=60; HttpOnly; SameSite=Lax; Path=/",
                OAuthStateUtils().build_set_cookie_for_deletion(),
            ],
        },
    )


def _page(message: str, status: int) -> BoltResponse:
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Slack not connected</title>"
        f"</head><body><p>{escape(message)}</p><p>Start again from "
        "<a href='/connections#slack'>Connections</a> in Levqor.</p></body></html>"
    )
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html"})


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    team = args.request.context.get(CONNECTED_KEY)
    if team is None:  # the plain "Add to Slack" install: Bolt's page, which opens Slack
        return await args.default.success(args)
    return _flash_redirect(f"Slack connected to {team}.", "ok")


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    states = args.settings.state_store
    if isinstance(states, DatabaseStateStore):  # a consumed state never lingers
        states.claim(_state(args.request))
    if isinstance(args.error, SlackTeamTaken):
        return _flash_redirect(str(args.error), "error")
    message = _REASONS.get(args.reason, f"Slack was not connected ({args.reason}).")
    return _page(message, args.suggested_status_code)


def _state(request: AsyncBoltRequest) -> str | None:
    values = request.query.get("state") or []
    return values[0] if values else None


def callback_options() -> AsyncCallbackOptions:
    """What the person sees after Slack sends them back."""
    return AsyncCallbackOptions(success=_success, failure=_failure)


class ConnectingOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow; an install whose state came from "Connect Slack" is stored for the signed-in
    workspace named in that state."""

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        """Save for the state's workspace, or (a plain install) as Bolt does."""
        states = self.settings.state_store
        store = self.settings.installation_store
        assert isinstance(states, DatabaseStateStore)
        assert isinstance(store, DatabaseInstallationStore)
        claimed = states.claim(_state(request))
        if claimed is None or claimed.workspace_id is None:
            await store.async_save(installation)
            return
        team = await store.save_for_workspace(installation, claimed.workspace_id, claimed.member_id)
        request.context[CONNECTED_KEY] = team
