"""Web chat: time from sending a message to the first streamed `event: token`, offline planner.

Levqor runs as `levqor serve` in its own process (SQLite unless `--postgres URL`, no LLM key so
the offline planner drafts); this process signs up in the browser's way (form + cookie) and posts
drafting messages to `POST /chat/messages`, each in a new conversation, one after another.

python -m bench.first_token [--messages 50] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import os
import re
import secrets
import sys
import time

import httpx

from bench.common import percentile, served_levqor, temp_settings
from tests.fakes.http_server import free_port

REQUEST = "every Monday at 9am send me the weekly report by email"
PASSWORD = "correct horse battery"


async def sign_up(client: httpx.AsyncClient) -> str:
    """Create a workspace through the sign-up form; the session's CSRF token."""
    form = await client.get("/signup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "sign-up page has no CSRF token"
    data = {
        "csrf_token": token.group(1),
        "workspace": "Bench Ops",
        "name": "Bench Owner",
        "email": "bench@levqor.example",
        "password": PASSWORD,
    }
    signed = await client.post("/signup", data=data)
    assert signed.status_code == 303, signed.text
    chat = await client.get("/")
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', chat.text)
    assert meta, "chat page has no CSRF token"
    return meta.group(1)


async def first_token(client: httpx.AsyncClient, csrf: str) -> tuple[float, float, float]:
    """One drafting message: seconds to the first byte, to the first token, to `done`."""
    body = {"conversation": secrets.token_hex(16), "text": REQUEST}
    headers = {"X-CSRF-Token": csrf, "Accept": "text/event-stream"}
    opened = token = 0.0
    started = time.perf_counter()
    async with client.stream("POST", "/chat/messages", json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        async for line in response.aiter_lines():
            now = time.perf_counter() - started
            opened = opened or now
            if line == "event: token" and not token:
                token = now
            if line == "event: error":
                raise RuntimeError("the chat answered with an error event")
            if line == "event: done":
                break
    assert token, "no token event arrived"
    return opened, token, time.perf_counter() - started


async def main(messages: int, database_url: str | None) -> None:
    """Serve Levqor, sign up, then time the messages one by one."""
    settings = temp_settings(database_url)
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "LEVQOR_LLM"))
    }
    env |= {
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_RATE_LIMITS": "false",  # this measures speed; bench/load_tiers.py the limits
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    async with (
        served_levqor(env, port) as base,
        httpx.AsyncClient(base_url=base, timeout=60) as client,
    ):
        csrf = await sign_up(client)
        await first_token(client, csrf)  # warm up: imports, templates, the checkpointer tables
        timings = [await first_token(client, csrf) for _ in range(messages)]
    backend = "PostgreSQL" if database_url else "SQLite"
    opened, tokens, done = ([t[i] * 1000 for t in timings] for i in range(3))
    print(f"web chat, {messages} drafting messages on {backend} (offline planner), one at a time:")
    print(f"  first byte (status frame): p50 {percentile(opened, 50):.0f} ms")
    print(
        f"  first token: p50 {percentile(tokens, 50):.0f} ms, p95 {percentile(tokens, 95):.0f} ms, "
        f"max {max(tokens):.0f} ms (aim: p50 <= 200 ms)"
    )
    print(f"  whole reply with its approval card: p50 {percentile(done, 50):.0f} ms")
    print(f"FIRST_TOKEN_P50_MS={percentile(tokens, 50):.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.messages, args.postgres)))
