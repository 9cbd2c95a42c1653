"""One log line per HTTP request: method, path (secrets masked), status, duration."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import mask_url

log = logging.getLogger("levqor.access")


class AccessLogMiddleware:
    """Pure ASGI: logs when the response is done (or the request broke), never its secrets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _line(scope, status, (time.perf_counter() - started) * 1000)


def _line(scope: Scope, status: int, ms: float) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    path = mask_url(scope.get("path", "") + (f"?{query}" if query else ""))
    client = scope.get("client")
    fields: dict[str, Any] = {
        "method": scope.get("method", ""),
        "path": path,
        "status": status,
        "duration_ms": round(ms, 1),
        "client": client[0] if client else None,
    }
    log.info("%s %s %s %.1fms", fields["method"], path, status, ms, extra=fields)
