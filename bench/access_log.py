"""What the per-request log line costs: a bare ASGI app with and without `AccessLogMiddleware`,
logging at INFO to a discarding handler, in text and JSON (secrets masked on every line).

python -m bench.access_log [--requests 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import time

from starlette.types import Receive, Scope, Send

from bot.access_log import AccessLogMiddleware
from bot.logs import TEXT_FORMAT, JsonFormatter


async def plain(scope: Scope, receive: Receive, send: Send) -> None:
    """The smallest HTTP answer."""
    await send({"type": "http.response.start", "status": 202, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def per_request_us(app: object, n: int) -> float:
    """Microseconds per request through `app` (called directly, no sockets)."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/hooks/wf_0123456789/abcdefsecretvalue",
        "query_string": b"token=xyz",
        "client": ("127.0.0.1", 5000),
        "headers": [],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        return None

    started = time.perf_counter()
    for _ in range(n):
        await app(scope, receive, send)  # type: ignore[operator]
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    n = parser.parse_args().requests
    handler = logging.StreamHandler(io.StringIO())
    logger = logging.getLogger("levqor.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    bare = asyncio.run(per_request_us(plain, n))
    print(f"bare app:                     {bare:7.1f} µs/request ({n} requests)")
    for name, formatter in (("text", logging.Formatter(TEXT_FORMAT)), ("json", JsonFormatter())):
        handler.setFormatter(formatter)
        logged = asyncio.run(per_request_us(AccessLogMiddleware(plain), n))
        print(f"with the access log ({name}):  {logged:7.1f} µs/request (+{logged - bare:.1f} µs)")


if __name__ == "__main__":
    main()
