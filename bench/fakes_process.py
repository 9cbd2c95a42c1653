"""Local fakes (Slack Web API, a partner HTTP endpoint) in a process of their own.

Benchmarks run the fakes apart from the load generator so neither slows the other down through
Python's global interpreter lock.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def _partner(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "received": len(await request.body())})


def _serve(conn: Connection) -> None:
    from tests.fakes.http_server import LoopbackServer
    from tests.fakes.slack_api import FakeSlack

    slack = FakeSlack().start()
    partner = LoopbackServer(Starlette(routes=[Route("/lead", _partner, methods=["POST"])])).start()
    conn.send((slack.url, f"{partner.url}/lead"))
    conn.recv()  # any message means stop
    conn.send(len(slack.calls("chat.postMessage")))
    slack.stop()
    partner.stop()


class Fakes:
    """Start with `Fakes()`, read `slack_url` and `partner_url`, end with `stop()`."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.slack_url, self.partner_url = self._conn.recv()

    def stop(self) -> int:
        """Stop the fakes; returns how many Slack messages were posted."""
        self._conn.send("stop")
        posted: int = self._conn.recv()
        self._process.join(10)
        return posted
