"""Rate limits: a workspace over its tier's limit gets 429s; other workspaces and signed
provider webhooks do not notice; wrong keys and passwords are throttled per source."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.keys import create_key
from storage.config import Settings
from storage.models import Role, Workspace
from tests.bot.api.test_webhooks import lead_workflow
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.workflows.helpers import activate
from tests.workflows.test_stripe_trigger import SECRET, signed

CRITICAL_GLOBAL = 50  # requests a minute per workspace and per user at the critical tier


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        STRIPE_WEBHOOK_SECRET=SECRET,
        LEVQOR_RATE_LIMITS=True,
        LEVQOR_LOAD_TIER="critical",
        LEVQOR_HOOK_DELIVERIES_PER_MINUTE=5,
    )


async def other_workspace_key(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session:
        other = Workspace(slug="globex", name="Globex")
        session.add(other)
        await session.flush()
        key, _ = await create_key(session, other, Role.owner)
        await session.commit()
    return key


async def test_over_the_tier_limit_is_429_with_retry_after_and_others_are_served(
    live: Live, sessions: async_sessionmaker[AsyncSession]
) -> None:
    client = live.as_()
    answers = [(await client.get("/api/workflows")).status_code for _ in range(CRITICAL_GLOBAL)]
    assert answers == [200] * CRITICAL_GLOBAL
    over = await client.get("/api/workflows")
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    error = over.json()["error"]
    assert error["code"] == "rate_limited"
    assert "Too many requests" in error["message"] and "Try again in" in error["message"]
    other_key = await other_workspace_key(sessions)
    async with httpx.AsyncClient(
        base_url=live.url, headers={"Authorization": f"Bearer {other_key}"}
    ) as other:
        assert (await other.get("/api/workflows")).status_code == 200
    health = await client.get("/api/health")
    assert health.status_code == 429  # the keyed health check counts too


async def test_health_without_a_key_is_liveness_only_and_with_a_key_shows_the_tier(
    live: Live,
) -> None:
    async with httpx.AsyncClient(base_url=live.url) as anonymous:
        bare = await anonymous.get("/api/health")
    assert bare.status_code == 200 and bare.json() == {"status": "ok"}
    keyed = (await live.as_().get("/api/health")).json()
    assert keyed["load_tier"] == "critical" and keyed["scope"] == "workspace"
    assert "runs_24h" in keyed


async def test_wrong_api_keys_are_throttled_per_source(live: Live) -> None:
    async with httpx.AsyncClient(
        base_url=live.url, headers={"Authorization": "Bearer lq_wrong"}
    ) as wrong:
        codes = [(await wrong.get("/api/workflows")).status_code for _ in range(25)]
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}
    # the right key from the same address is throttled too: guessing stops for that source
    assert (await live.as_().get("/api/workflows")).status_code == 429


STRIPE_SPEC = {
    "name": "Payments to the team",
    "trigger": {"type": "stripe", "events": ["invoice.paid"]},
    "steps": [
        {
            "id": "post",
            "action": "slack.post_message",
            "inputs": {"channel": "#money", "text": "paid"},
        }
    ],
}


async def test_signed_stripe_events_are_always_acknowledged(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, STRIPE_SPEC, live.runtime.registry)

    async def deliver(i: int) -> int:
        event = {
            "id": f"evt_{i}",
            "type": "invoice.paid",
            "data": {"object": {"id": f"in_{i}", "object": "invoice"}},
        }
        body = json.dumps(event).encode()
        headers = {"stripe-signature": signed(body), "content-type": "application/json"}
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
            return (
                await client.post("/hooks/stripe/acme", content=body, headers=headers)
            ).status_code

    count = CRITICAL_GLOBAL + 20  # more than any per-minute limit at this tier
    codes = await asyncio.gather(*(deliver(i) for i in range(count)))
    assert codes == [202] * count
    await live.runtime.drain()


async def test_hook_deliveries_are_throttled_per_source_and_workflow(live: Live) -> None:
    workflow = await lead_workflow(live)
    path = "/" + workflow["webhook_url"].split("/", 3)[3]
    async with httpx.AsyncClient(base_url=live.url) as sender:
        codes = [
            (await sender.post(path, json={"email": f"l{i}@example.com"})).status_code
            for i in range(7)
        ]
    assert codes[:5] == [202] * 5 and codes[5:] == [429, 429]
    await live.runtime.drain()
