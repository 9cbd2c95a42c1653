"""An HTTP endpoint that holds every request until released, and counts them (loopback)."""

from __future__ import annotations

import asyncio
import threading

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class Gate:
    """`GET /lookup` answers `{"tier": "gold"}` once `released` is set; `hits` counts requests."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.hits = 0
        self.app = Starlette(routes=[Route("/lookup", self.lookup)])

    async def lookup(self, request: Request) -> JSONResponse:
        """Count the request, then hold it until the gate is released."""
        with self._lock:
            self.hits += 1
        self.reached.set()
        await asyncio.to_thread(self.released.wait, 120)
        return JSONResponse({"tier": "gold"})
