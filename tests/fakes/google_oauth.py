"""A fake Google OAuth 2 server on loopback: the consent page and the token endpoint.

`/authorize` consents at once (as if the person clicked Allow) and redirects back with a code;
`/token` trades a code or a refresh token for an access token, checking the client's secret.
Each access token it issues becomes the one a linked `FakeSheets` accepts.

async with FakeGoogle.running(sheets=api) as google:
    settings = make_settings(..., GOOGLE_AUTH_URL=google.url + "/authorize", ...)
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.openai_server import serve_loopback
from tests.fakes.sheets_api import FakeSheets

CLIENT_ID = "levqor-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-secret"


@dataclass
class FakeGoogle:
    """Codes, refresh tokens and access tokens it has issued, and every grant asked for."""

    sheets: FakeSheets | None = None
    lifetime: int = 3600
    url: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # code → redirect_uri
    refresh_tokens: set[str] = field(default_factory=set)
    grants: list[dict[str, str]] = field(default_factory=list)
    authorize_params: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    @asynccontextmanager
    async def running(cls, sheets: FakeSheets | None = None) -> AsyncIterator[FakeGoogle]:
        """Serve the fake on a free loopback port for the duration of the block."""
        fake = cls(sheets=sheets)
        async with serve_loopback(fake.app()) as url:
            fake.url = url
            yield fake

    def settings(self) -> dict[str, Any]:
        """The settings that point Levqor at this fake."""
        return {
            "GOOGLE_CLIENT_ID": CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_AUTH_URL": f"{self.url}/authorize",
            "GOOGLE_TOKEN_URL": f"{self.url}/token",
        }

    def revoke_all(self) -> None:
        """As if the person removed Levqor's access in their Google account."""
        self.refresh_tokens.clear()

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/authorize", self._authorize, methods=["GET"]),
                Route("/token", self._token, methods=["POST"]),
            ]
        )

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_params.append(params)
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = "code-" + secrets.token_hex(8)
        self.codes[code] = params["redirect_uri"]
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    def _access(self) -> dict[str, Any]:
        token = "ya29." + secrets.token_hex(8)
        if self.sheets is not None:
            self.sheets.token = token
        return {"access_token": token, "expires_in": self.lifetime, "token_type": "Bearer"}

    async def _token(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.grants.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") == "authorization_code":
            redirect = self.codes.pop(form.get("code", ""), None)
            if redirect is None or redirect != form.get("redirect_uri"):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            refresh = "1//refresh-" + secrets.token_hex(8)
            self.refresh_tokens.add(refresh)
            return JSONResponse(self._access() | {"refresh_token": refresh})
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse(self._access())
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
