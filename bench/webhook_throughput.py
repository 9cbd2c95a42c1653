"""Webhook-triggered runs per second for a 3-step workflow on one node, against local fakes.

Levqor runs as `levqor serve` in its own process (SQLite by default, `--postgres URL` for
PostgreSQL); this process plays the senders, the fake Slack Web API and the partner HTTP endpoint.

python bench/webhook_throughput.py [--runs 1000] [--concurrency 32] [--postgres URL]
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

import httpx

from bench.common import create_api_key, served_levqor, temp_settings
from bench.fakes_process import Fakes
from tests.fakes.http_server import free_port
from tests.fakes.slack_api import TOKEN


def spec(partner_url: str) -> dict[str, object]:
    contact = {"email": "{{ trigger.email }}", "name": "{{ trigger.name }}", "source": "bench"}
    text = "New lead {{ trigger.name }} <{{ trigger.email }}>"
    forward = {"method": "POST", "url": partner_url, "json": {"email": "{{ trigger.email }}"}}
    return {
        "name": "Lead fan-out",
        "trigger": {"type": "webhook"},
        "steps": [
            {"id": "contact", "action": "crm.upsert_contact", "inputs": contact},
            {
                "id": "notify",
                "action": "slack.post_message",
                "inputs": {"channel": "#leads", "text": text},
            },
            {"id": "forward", "action": "http.request", "inputs": forward},
        ],
    }


async def main(runs: int, concurrency: int, database_url: str | None) -> None:
    fakes = Fakes()
    settings = temp_settings(database_url)
    port = free_port()
    env = {
        **os.environ,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_RATE_LIMITS": "false",  # this measures speed; bench/load_tiers.py the limits
        "LEVQOR_HTTP_ALLOWED_HOSTS": '["127.0.0.1"]',
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fakes.slack_url,
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    key, approver = [await create_api_key(role, env) for role in ("operator", "owner")]
    headers = {"Authorization": f"Bearer {key}"}
    try:
        async with (
            served_levqor(env, port) as base,
            httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client,
        ):
            created = (
                await client.post("/api/workflows", json={"spec": spec(fakes.partner_url)})
            ).json()
            approved = await client.post(
                f"/api/approvals/{created['approval']['id']}/approve",
                headers={"Authorization": f"Bearer {approver}"},
            )
            assert approved.status_code == 200, approved.text
            hook = "/" + created["webhook_url"].split("/", 3)[3]
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(runs):
                queue.put_nowait(n)

            async def sender() -> None:
                while not queue.empty():
                    n = queue.get_nowait()
                    body = json.dumps({"email": f"lead{n}@example.com", "name": f"Lead {n}"})
                    response = await client.post(
                        hook, content=body, headers={"content-type": "application/json"}
                    )
                    assert response.status_code == 202, response.text

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(concurrency)))
            accepted = time.perf_counter() - started
            while True:
                health = (await client.get("/api/health")).json()
                done = health["succeeded_24h"] + health["failed_24h"]
                if done >= runs:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
    finally:
        posted = fakes.stop()
    backend = "PostgreSQL" if database_url else "SQLite"
    print(
        f"webhook throughput on {backend}: {runs} deliveries, concurrency {concurrency}: "
        f"accepted in {accepted:.2f}s ({runs / accepted:.0f}/s), all {runs} runs finished in "
        f"{elapsed:.2f}s -> {runs / elapsed:.0f} runs/s; succeeded {health['succeeded_24h']}, "
        f"failed {health['failed_24h']}, Slack posts {posted}"
    )
    print(f"WEBHOOK_RUNS_PER_SECOND={runs / elapsed:.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.runs, args.concurrency, args.postgres)))
