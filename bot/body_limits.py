"""Body limits enforced while the body arrives: 413 past the route's limit, 422 for deep JSON.

An ASGI middleware in front of everything (routing, auth, parsing): a declared
`Content-Length` over the limit is refused before a byte is read, and a streamed body is
counted chunk by chunk and refused as soon as it passes the limit. A body within its limit is
handed to the app as it arrived; JSON (and JSON inside form fields, as Slack sends it) that
nests deeper than `LEVQOR_JSON_MAX_DEPTH` is refused with 422 before any route parses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage.config import Settings
from storage.json_limits import TooDeep, loads_checked


@dataclass(frozen=True)
class RouteClass:
    """A kind of route and the body size it accepts."""

    name: str
    max_bytes: int
    setting: str


def route_class(path: str, settings: Settings) -> RouteClass:
    """Which limit applies to a request path."""
    if path.startswith(("/inbound/email/", "/hooks/stripe/")):
        return RouteClass("inbound", settings.inbound_max_bytes, "LEVQOR_INBOUND_MAX_BYTES")
    if path.startswith(("/hooks/", "/f/", "/slack/")):
        return RouteClass("webhook", settings.webhook_max_bytes, "LEVQOR_WEBHOOK_MAX_BYTES")
    return RouteClass("api", settings.api_max_bytes, "LEVQOR_API_MAX_BYTES")


class BodyLimitMiddleware:
    """Refuse over-large bodies while streaming, and over-deep JSON, before the app sees them."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the body, then hand the app a replay of it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = route_class(scope.get("path", ""), self.settings)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            await _too_large(send, limit, int(declared))
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if len(body) > limit.max_bytes:
                await _too_large(send, limit, None)
                return
        problem = _json_problem(bytes(body), headers.get("content-type", ""), self.settings)
        if problem:
            await _answer(send, 422, "invalid_request", problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _json_problem(body: bytes, content_type: str, settings: Settings) -> str | None:
    """Why this body's JSON cannot be accepted (too deep), or None."""
    limit = settings.json_max_depth
    texts: list[bytes | str] = []
    if "application/x-www-form-urlencoded" in content_type:
        fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        texts = [v for _, v in fields if v.lstrip()[:1] in ("{", "[")]
    elif "multipart/" not in content_type and (
        "json" in content_type or body.lstrip()[:1] in (b"{", b"[")
    ):
        texts = [body]
    for text in texts:
        try:
            loads_checked(text, limit)
        except TooDeep:
            return f"the JSON body nests deeper than {limit} levels; send flatter data"
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue  # not JSON after all: the route answers for that
    return None


async def _too_large(send: Send, limit: RouteClass, declared: int | None) -> None:
    size = f"{declared} bytes" if declared is not None else "more than that"
    message = (
        f"the request body is too large: this address accepts at most {limit.max_bytes} "
        f"bytes ({limit.setting}) and this one is {size}"
    )
    await _answer(send, 413, "payload_too_large", message, close=True)


async def _answer(send: Send, status: int, code: str, message: str, close: bool = False) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
