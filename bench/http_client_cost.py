"""Event-loop CPU per outbound request: `http.request`'s wire (aiohttp, kept sessions) beside a
plain httpx client, against a keep-alive loopback server in its own process.

python bench/http_client_cost.py [--requests 3000] [--concurrency 1,32]

Prints, per client and concurrency, the CPU time this process spent per request (user + system,
`resource.getrusage`), the figure a busy server pays for each `http.request` step.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import resource
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable

import httpx

from bench.common import temp_settings
from integrations import http_wire
from integrations.base import ActionContext
from integrations.http import ACTIONS

SERVER = Path(__file__).resolve().parent / "n8n_peer" / "fake_http.py"


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _per_request(send: Callable[[], Awaitable[None]], n: int, concurrency: int) -> float:
    async def worker(count: int) -> None:
        for _ in range(count):
            await send()

    for _ in range(100):  # warm: connections open, code paths compiled
        await send()
    started = _cpu()
    await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
    return (_cpu() - started) / (n // concurrency * concurrency) * 1e6


async def measure(port: int, n: int, concurrencies: list[int]) -> None:
    url = f"http://127.0.0.1:{port}/crm"
    settings = temp_settings()  # 127.0.0.1 allowed: sent as named, on the kept session
    async with httpx.AsyncClient(timeout=15.0) as plain:
        ctx = ActionContext(
                settings=settings, sessions=None, http=plain, workspace_id="ws",  # type: ignore[arg-type]
                workflow_id="wf", run_id="r", step_id="s", idempotency_key="r:s",
            )  # fmt: skip
        action = ACTIONS[0]
        inputs = {"method": "POST", "url": url, "json": {"email": "a@example.com"}}

        async def step() -> None:
            await action.run(ctx, inputs)

        async def httpx_post() -> None:
            response = await plain.post(url, json=inputs["json"])
            response.read()

        http_wire.keep()
        try:
            for concurrency in concurrencies:
                wire = await _per_request(step, n, concurrency)
                base = await _per_request(httpx_post, n, concurrency)
                print(
                    f"concurrency {concurrency:>3}: http.request step {wire:7.0f} µs CPU "
                    f"per request; plain httpx post {base:7.0f} µs"
                )
        finally:
            await http_wire.close()


def main(n: int, concurrencies: list[int]) -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(SERVER), str(port)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        asyncio.run(measure(port, n, concurrencies))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="1,32")
    args = parser.parse_args()
    main(args.requests, [int(c) for c in args.concurrency.split(",")])
