"""A fake HubSpot CRM v3 contacts API on loopback: search, create, read and patch, HubSpot-shaped.

async with FakeHubSpot.running(token="pat-test") as hubspot:
    hubspot.add_contact(email="a@b.co", firstname="Ann")
    settings = make_settings(..., HUBSPOT_TOKEN="pat-test", HUBSPOT_API_BASE=hubspot.url)

It is also HubSpot's OAuth side: `/oauth/authorize` consents at once (as if the person picked an
account and clicked Connect) and redirects back with a code; `POST /oauth/v1/token` trades a code
or a refresh token for an access token, checking the app's secret. Each access token it issues
becomes the one the contacts API accepts (`oauth_settings()` points Levqor at it).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.openai_server import serve_loopback

BASE = "/crm/v3/objects/contacts"
CLIENT_ID = "levqor-test-hubspot-app"
CLIENT_SECRET = "hubspot-test-secret"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    body: dict[str, Any]


def iso(at: datetime) -> str:
    """HubSpot's timestamp format: ISO 8601, milliseconds, `Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _millis(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


class FakeHubSpot:
    """In-memory contacts; `writes()` counts the creates and patches the integration made."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.calls: list[Call] = []
        self.contacts: dict[str, dict[str, Any]] = {}
        self.failures: list[tuple[int, dict[str, str]]] = []
        self._next_id = 101
        self.lifetime = 1800  # seconds an OAuth access token lives
        self.codes: dict[str, str] = {}  # code → redirect_uri
        self.refresh_tokens: set[str] = set()
        self.grants: list[dict[str, str]] = []
        self.authorize_params: list[dict[str, str]] = []

    @classmethod
    @asynccontextmanager
    async def running(cls, token: str = "pat-test") -> AsyncIterator[FakeHubSpot]:
        """Serve the fake on a free loopback port for the duration of the block."""
        fake = cls(token)
        async with serve_loopback(fake.app()) as url:
            fake.url = url
            yield fake

    def oauth_settings(self) -> dict[str, str]:
        """The settings that make Levqor offer "Connect with HubSpot" against this fake."""
        return {
            "HUBSPOT_CLIENT_ID": CLIENT_ID,
            "HUBSPOT_CLIENT_SECRET": CLIENT_SECRET,
            "HUBSPOT_AUTH_BASE": self.url,
            "HUBSPOT_API_BASE": self.url,
        }

    def revoke_all(self) -> None:
        """As if the person uninstalled Levqor's app from their HubSpot account."""
        self.refresh_tokens.clear()
        self.token = "revoked-" + secrets.token_hex(4)

    def add_contact(self, at: datetime | None = None, **properties: str) -> dict[str, Any]:
        """A contact as if someone created it in HubSpot (at `at`, default now)."""
        contact_id = str(self._next_id)
        self._next_id += 1
        stamp = iso(at or datetime.now(UTC))
        props = {"createdate": stamp, "hs_object_id": contact_id, **properties}
        row = {"id": contact_id, "properties": props, "createdAt": stamp, "archived": False}
        self.contacts[contact_id] = row
        self._touch(row, stamp)
        return row

    def edit(self, email: str, at: datetime | None = None, **properties: str) -> dict[str, Any]:
        """Change a contact as if someone edited it in HubSpot (at `at`, default now)."""
        row = self.by_email(email)
        assert row is not None, f"no HubSpot contact {email}"
        row["properties"].update(properties)
        self._touch(row, iso(at or datetime.now(UTC)))
        return row

    def by_email(self, email: str) -> dict[str, Any] | None:
        """The contact with this email (case-insensitive), if any."""
        wanted = email.lower()
        for row in self.contacts.values():
            if str(row["properties"].get("email", "")).lower() == wanted:
                return row
        return None

    def writes(self) -> list[Call]:
        """Creates and patches received (searches and reads are not writes)."""
        return [c for c in self.calls if c.method in ("PATCH", "POST") and "search" not in c.path]

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request with this status (e.g. 429 + Retry-After)."""
        self.failures.append((status, dict(headers or {})))

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route(f"{BASE}/search", self._search, methods=["POST"]),
                Route(BASE, self._create, methods=["POST"]),
                Route(BASE + "/{key}", self._read, methods=["GET"]),
                Route(BASE + "/{key}", self._patch, methods=["PATCH"]),
                Route("/oauth/authorize", self._authorize, methods=["GET"]),
                Route("/oauth/v1/token", self._token, methods=["POST"]),
            ]
        )

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_params.append(params)
        if params.get("client_id") != CLIENT_ID or not params.get("redirect_uri"):
            return _error(400, "VALIDATION_ERROR", "unknown app or no redirect_uri")
        code = "hubcode-" + secrets.token_hex(8)
        self.codes[code] = params["redirect_uri"]
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    def _access(self) -> dict[str, Any]:
        self.token = "hubaccess-" + secrets.token_hex(8)
        return {"access_token": self.token, "expires_in": self.lifetime, "token_type": "bearer"}

    async def _token(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.grants.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _error(400, "BAD_CLIENT_ID", "missing or unknown client id")
        if form.get("grant_type") == "authorization_code":
            redirect = self.codes.pop(form.get("code", ""), None)
            if redirect is None or redirect != form.get("redirect_uri"):
                return JSONResponse({"status": "BAD_AUTH_CODE", "message": "bad code"}, 400)
            refresh = "hubrefresh-" + secrets.token_hex(8)
            self.refresh_tokens.add(refresh)
            return JSONResponse(self._access() | {"refresh_token": refresh})
        if form.get("grant_type") == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self.refresh_tokens:
                unknown = "missing or unknown refresh token"
                return JSONResponse({"status": "BAD_REFRESH_TOKEN", "message": unknown}, 400)
            return JSONResponse(self._access() | {"refresh_token": refresh})
        return _error(400, "BAD_GRANT_TYPE", "unsupported grant_type")

    @staticmethod
    def _touch(row: dict[str, Any], stamp: str) -> None:
        row["properties"]["lastmodifieddate"] = stamp
        row["updatedAt"] = stamp

    async def _guard(self, request: Request) -> tuple[dict[str, Any], JSONResponse | None]:
        body = await request.json() if request.method in ("POST", "PATCH") else {}
        self.calls.append(Call(request.method, request.url.path, body))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return body, _error(
                401, "INVALID_AUTHENTICATION", "Authentication credentials not found."
            )
        if self.failures:
            status, headers = self.failures.pop(0)
            return body, _error(status, "RATE_LIMITS", "scripted failure", headers)
        return body, None

    def _find(self, request: Request) -> dict[str, Any] | None:
        key = request.path_params["key"]
        if request.query_params.get("idProperty") == "email":
            return self.by_email(key)
        return self.contacts.get(key)

    async def _search(self, request: Request) -> JSONResponse:
        body, refused = await self._guard(request)
        if refused:
            return refused
        rows = [r for r in self.contacts.values() if _matches(r, body.get("filterGroups") or [])]
        rows.sort(key=lambda r: (r["properties"]["lastmodifieddate"], int(r["id"])))
        start = int(body.get("after") or 0)
        limit = int(body.get("limit") or 10)
        page = rows[start : start + limit]
        out: dict[str, Any] = {"total": len(rows), "results": [_view(r) for r in page]}
        if start + limit < len(rows):
            out["paging"] = {"next": {"after": str(start + limit)}}
        return JSONResponse(out)

    async def _create(self, request: Request) -> JSONResponse:
        body, refused = await self._guard(request)
        if refused:
            return refused
        props = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        existing = self.by_email(props.get("email", ""))
        if existing is not None:
            message = f"Contact already exists. Existing ID: {existing['id']}"
            return _error(409, "CONFLICT", message)
        return JSONResponse(_view(self.add_contact(None, **props)), status_code=201)

    async def _read(self, request: Request) -> JSONResponse:
        _, refused = await self._guard(request)
        if refused:
            return refused
        row = self._find(request)
        return JSONResponse(_view(row)) if row else _error(404, "OBJECT_NOT_FOUND", "Not found")

    async def _patch(self, request: Request) -> JSONResponse:
        body, refused = await self._guard(request)
        if refused:
            return refused
        row = self._find(request)
        if row is None:
            return _error(404, "OBJECT_NOT_FOUND", "resource not found")
        row["properties"].update({k: str(v) for k, v in (body.get("properties") or {}).items()})
        self._touch(row, iso(datetime.now(UTC)))
        return JSONResponse(_view(row))


def _matches(row: dict[str, Any], groups: list[dict[str, Any]]) -> bool:
    """HubSpot semantics: filters within a group are ANDed, groups are ORed."""
    if not groups:
        return True
    return any(all(_passes(row, f) for f in group.get("filters", [])) for group in groups)


def _passes(row: dict[str, Any], flt: dict[str, Any]) -> bool:
    value = row["properties"].get(flt["propertyName"])
    if value is None:
        return False
    if flt["propertyName"] in ("lastmodifieddate", "createdate"):
        left, right = _millis(value), int(flt["value"])
    else:
        left, right = str(value).lower(), str(flt["value"]).lower()  # type: ignore[assignment]
    ops = {"EQ": left == right, "GTE": left >= right, "GT": left > right, "LTE": left <= right}
    return bool(ops.get(flt["operator"], False))


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "properties": dict(row["properties"])}


def _error(
    status: int, category: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"status": "error", "message": message, "category": category}
    return JSONResponse(body, status_code=status, headers=headers)
