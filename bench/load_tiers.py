"""Load tiers under a ramp: per-tier 429 rates, p99 of allowed requests, webhook acknowledgements.

`levqor serve` runs in its own process with rate limits on and low tier thresholds (so a 2-core
loopback can reach every tier). This process ramps signed Stripe deliveries (each starts a run,
so runs in flight and CPU climb) while one API client asks at a steady 4 requests a second
(240 a minute: over every tier's per-minute limit, so the 429 share shows the limit in force).
A second workspace's key reads the tier from `/api/health` twice a second.

python bench/load_tiers.py [--phase-seconds 8]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import sys
import time
from collections import defaultdict

import httpx

from bench.common import percentile, served_levqor, temp_settings
from storage.config import Settings
from tests.fakes.http_server import free_port

STRIPE_SECRET = "whsec_bench"
PHASES = [("calm", 1), ("warm", 20), ("busy", 60), ("flood", 150), ("calm again", 1)]
PHASES += [("rest", 0)] * 3  # no deliveries: the queue drains and the tier steps back down
SPEC = {
    "name": "Payments to the team",
    "trigger": {"type": "stripe", "events": ["invoice.paid"]},
    "steps": [
        {
            "id": "post",
            "action": "slack.post_message",
            "inputs": {"channel": "#money", "text": "Paid: {{ trigger.data.object.id }}"},
        }
    ],
}


async def keys(settings: Settings) -> dict[str, str]:
    """Owner keys for the load workspace (`tenant`) and the tier watcher (`watcher`)."""
    from accounts.keys import create_key
    from storage.db import create_engine, session_factory
    from storage.models import Role, Workspace

    engine = create_engine(settings)
    found: dict[str, str] = {}
    async with session_factory(engine)() as session:
        for slug in ("tenant", "watcher"):
            workspace = Workspace(slug=slug, name=slug.title())
            session.add(workspace)
            await session.flush()
            found[slug], _ = await create_key(session, workspace, Role.owner)
        await session.commit()
    await engine.dispose()
    return found


def stripe_event(n: int) -> tuple[bytes, dict[str, str]]:
    """A signed invoice.paid event."""
    body = json.dumps(
        {"id": f"evt_{n}", "type": "invoice.paid", "data": {"object": {"id": f"in_{n}"}}}
    ).encode()
    stamp = int(time.time())
    mac = hmac.new(STRIPE_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    headers = {"stripe-signature": f"t={stamp},v1={mac.hexdigest()}"}
    return body, headers | {"content-type": "application/json"}


async def main(phase_seconds: float) -> None:
    settings = temp_settings()
    key = await keys(settings)
    port = free_port()
    env = {
        **os.environ,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "LEVQOR_RATE_LIMITS": "true",
        "LEVQOR_TIER_QUEUE": "3,10,30",
        "LEVQOR_TIER_LAG_MS": "15,40,100",
        "LEVQOR_TIER_CPU_PERCENT": "50,75,95",
        "LEVQOR_TIER_HOLD_SECONDS": "3",
        "LEVQOR_LOAD_SAMPLE_SECONDS": "0.25",
    }
    env.pop("REDIS_URL", None)
    tier = "low"
    by_tier: dict[str, list[tuple[int, float]]] = defaultdict(list)
    sent = acknowledged = 0
    async with served_levqor(env, port) as base:
        tenant = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key['tenant']}"}, timeout=60
        )
        watcher = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key['watcher']}"}, timeout=60
        )
        hooks = httpx.AsyncClient(
            base_url=base, timeout=60, limits=httpx.Limits(max_connections=200)
        )
        created = (await tenant.post("/api/workflows", json={"spec": SPEC})).json()
        await tenant.post(f"/api/approvals/{created['approval']['id']}/approve")
        stop = asyncio.Event()
        seen: list[str] = []

        async def watch() -> None:
            nonlocal tier
            while not stop.is_set():
                answer = await watcher.get("/api/health")
                if answer.status_code == 200:
                    tier = answer.json()["load_tier"]
                    if not seen or seen[-1] != tier:
                        seen.append(tier)
                await asyncio.sleep(0.5)

        async def ask() -> None:
            while not stop.is_set():
                at, started = tier, time.perf_counter()
                response = await tenant.get("/api/workflows")
                by_tier[at].append((response.status_code, time.perf_counter() - started))
                await asyncio.sleep(max(0.0, 0.25 - (time.perf_counter() - started)))

        async def deliver(n: int) -> None:
            nonlocal acknowledged
            body, headers = stripe_event(n)
            response = await hooks.post("/hooks/stripe/tenant", content=body, headers=headers)
            acknowledged += response.status_code == 202

        tasks = [asyncio.create_task(watch()), asyncio.create_task(ask())]
        deliveries: list[asyncio.Task[None]] = []
        for name, per_second in PHASES:
            phase_end = time.perf_counter() + phase_seconds
            while time.perf_counter() < phase_end:
                if not per_second:
                    await asyncio.sleep(phase_end - time.perf_counter())
                    break
                deliveries.append(asyncio.create_task(deliver(sent)))
                sent += 1
                await asyncio.sleep(1 / per_second)
            print(f"phase {name:<10} {per_second:>3} Stripe events/s -> load tier {tier}")
        await asyncio.gather(*deliveries)
        stop.set()
        await asyncio.gather(*tasks)
        for client in (tenant, watcher, hooks):
            await client.aclose()
    print(f"tiers seen (in order): {' -> '.join(seen)}")
    for name in ("low", "medium", "high", "critical"):
        rows = by_tier.get(name, [])
        if not rows:
            print(f"tier {name:<8}: no API requests while in force")
            continue
        limited = sum(1 for status, _ in rows if status == 429)
        allowed = [seconds * 1000 for status, seconds in rows if status == 200]
        p99 = f"{percentile(allowed, 99):.1f} ms" if allowed else "n/a"
        rate = 100 * limited / len(rows)
        print(
            f"tier {name:<8}: {len(rows):>4} API requests, 429 rate {rate:5.1f}%, "
            f"p99 of allowed {p99}"
        )
    print(f"Stripe deliveries: {sent} sent, {acknowledged} acknowledged (202)")
    print(f"WEBHOOK_ACKNOWLEDGED={acknowledged}/{sent}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase-seconds", type=float, default=8.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.phase_seconds)))
