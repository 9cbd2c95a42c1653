"""Slack's OAuth consent page on loopback, and Slack's answers to the install callback.

"Allow" sends the browser back to the app's redirect address (its path, on the served app that
stands in for the public host); `script_oauth` queues the `oauth.v2.access` and `auth.test`
answers a fake Slack Web API gives the callback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import FakeSlack


class FakeConsent:
    """Slack's "Allow Levqor?" page; `asked` keeps each authorize request's parameters."""

    def __init__(self) -> None:
        self.app_url = ""
        self.asked: list[dict[str, str]] = []
        app = Starlette(routes=[Route("/oauth/v2/authorize", self._authorize)])
        self.server = LoopbackServer(app)

    async def _authorize(self, request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        self.asked.append(params)
        path = urlsplit(params["redirect_uri"]).path
        back = f"{self.app_url}{path}?code=code-from-slack&state={params['state']}"
        return HTMLResponse(
            "<!doctype html><html><head><title>Slack</title></head><body>"
            "<h1>Levqor is requesting permission to access Acme Slack</h1>"
            f'<a href="{back}">Allow</a></body></html>'
        )


def script_oauth(
    fake: FakeSlack,
    token: str,
    team: str = "TACME",
    name: str = "Acme Slack",
    installer: str = "UOLIVIA",
) -> None:
    """Slack's answers to the callback's oauth.v2.access and auth.test."""
    fake.answer_next(
        {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": "UBOTACME",
            "app_id": "A0LEVQOR",
            "team": {"id": team, "name": name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }
    )
    fake.answer_next({"ok": True, "bot_id": "BACME", "user_id": "UBOTACME", "team_id": team})
