"""Times webhook deliveries (`POST /hooks/...`) from arrival to the first byte of the answer,
into `levqor_webhook_accept_seconds`. A pure ASGI middleware: the route stays as it is."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AcceptTimingMiddleware:
    """Observe how long each webhook delivery took to answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/hooks/"):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        timed = False

        async def timed_send(message: Message) -> None:
            nonlocal timed
            if message["type"] == "http.response.start" and not timed:
                timed = True
                runtime = getattr(scope["app"].state, "runtime", None)
                if runtime is not None:
                    runtime.metrics.webhook_accept_seconds.observe(time.perf_counter() - began)
            await send(message)

        await self.app(scope, receive, timed_send)
