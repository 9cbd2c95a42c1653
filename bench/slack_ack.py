"""Slack: `/levqor` ack latency under 50 concurrent signed commands, and Approve → run started.

Levqor runs as `levqor serve` in its own process (HTTP mode, one bot token, SQLite unless
`--postgres URL`); the fake Slack Web API runs in another; this process plays Slack.

python -m bench.slack_ack [--commands 50] [--approvals 20] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import os
import sys
import time
from urllib.parse import urlencode

import httpx

from bench.common import create_api_key, percentile, served_levqor, temp_settings
from bench.fakes_process import Fakes
from tests.bot.slack.harness import SIGNING_SECRET, fixture, sign
from tests.fakes.http_server import free_port
from tests.fakes.slack_api import TOKEN

REQUEST = "every Monday 9am post last week's new leads to #sales"


async def command(client: httpx.AsyncClient, text: str, respond_to: str) -> float:
    """Send one signed `/levqor text`; the seconds until Slack would have its ack."""
    form = fixture("slash_command") | {
        "text": text,
        "user_id": "UBENCH",
        "response_url": respond_to,
    }
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    started = time.perf_counter()
    response = await client.post("/slack/events", content=body, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


async def click_approve(client: httpx.AsyncClient, approval_id: str) -> None:
    """Send a signed block_actions Approve click."""
    payload = fixture("block_actions")
    payload["user"] |= {"id": "UBENCH", "username": "bench"}
    payload["actions"][0] |= {"value": approval_id}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200, response.text


async def approve_then_run(
    client: httpx.AsyncClient, api: httpx.AsyncClient, approval: dict[str, str], respond_to: str
) -> float:
    """Approve click → workflow active → `/levqor run` → a run has started; seconds taken."""
    workflow_id = approval["workflow_id"]
    started = time.perf_counter()
    await click_approve(client, approval["id"])
    while True:
        if (await api.get(f"/api/workflows/{workflow_id}")).json()["status"] == "active":
            break
        await asyncio.sleep(0.005)
    await command(client, f"run {workflow_id}", respond_to)
    while True:
        runs = (await api.get("/api/runs", params={"workflow_id": workflow_id})).json()
        if runs and runs[0].get("started_at"):
            return time.perf_counter() - started
        await asyncio.sleep(0.005)


async def main(commands: int, approvals: int, database_url: str | None) -> None:
    """Serve Levqor, fire the commands at once, then time approvals one by one."""
    fakes = Fakes()
    settings = temp_settings(database_url)
    port = free_port()
    env = {
        **os.environ,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fakes.slack_url,
        "SLACK_OWNER_IDS": "UBENCH",
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    key = await create_api_key("owner", env)
    respond_to = fakes.slack_url + "respond"  # replies land in the fake (and are ignored)
    auth = {"Authorization": f"Bearer {key}"}
    try:
        async with (
            served_levqor(env, port) as base,
            httpx.AsyncClient(base_url=base, timeout=60) as client,
            httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as api,
        ):
            await command(client, "help", respond_to)  # builds the Bolt app, caches auth.test
            acks = await asyncio.gather(
                *(command(client, REQUEST, respond_to) for _ in range(commands))
            )
            pending: list[dict[str, str]] = []
            while len(pending) < min(approvals, commands):
                await asyncio.sleep(0.05)
                pending = (await api.get("/api/approvals")).json()
            chains = [
                await approve_then_run(client, api, a, respond_to) for a in pending[:approvals]
            ]
    finally:
        fakes.stop()
    backend = "PostgreSQL" if database_url else "SQLite"
    ms = [a * 1000 for a in acks]
    chain_ms = [c * 1000 for c in chains]
    print(
        f"slash-command ack on {backend}, {commands} concurrent signed commands: "
        f"p50 {percentile(ms, 50):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
        f"max {max(ms):.0f} ms (aim: p99 <= 300 ms, Slack's limit 3000 ms)"
    )
    print(
        f"Approve click -> run started ({len(chains)} approvals): "
        f"p50 {percentile(chain_ms, 50):.0f} ms, p95 {percentile(chain_ms, 95):.0f} ms"
    )
    print(f"SLACK_ACK_P99_MS={percentile(ms, 99):.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--approvals", type=int, default=20)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.commands, args.approvals, args.postgres)))
