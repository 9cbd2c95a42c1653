"""Webhook deliveries: timestamped signatures, reused idempotency keys, odd input never a 500."""

from __future__ import annotations

import json
import time

import httpx

from tests.bot.api.test_webhooks import lead_workflow, post_hook
from tests.bot.conftest import Live
from workflows.triggers.webhook import legacy_sign, sign


async def test_signatures_carry_a_timestamp_and_a_captured_delivery_does_not_replay(
    live: Live,
) -> None:
    wf = await lead_workflow(live, signature_header="X-Levqor-Signature")
    secret = wf["webhook_url"].rsplit("/", 1)[1]
    body = json.dumps({"email": "sig@example.com"}).encode()
    fresh = await post_hook(
        live, wf["webhook_url"], body, **{"X-Levqor-Signature": sign(secret, body)}
    )
    assert fresh.status_code == 202, fresh.text
    old = sign(secret, body, at=int(time.time()) - 301)
    replayed = await post_hook(live, wf["webhook_url"], body, **{"X-Levqor-Signature": old})
    assert replayed.status_code == 401 and "five minutes" in replayed.text
    legacy = legacy_sign(secret, body)
    untimestamped = await post_hook(live, wf["webhook_url"], body, **{"X-Levqor-Signature": legacy})
    assert untimestamped.status_code == 401
    other_body = await post_hook(
        live,
        wf["webhook_url"],
        b'{"email": "x@example.com"}',
        **{"X-Levqor-Signature": sign(secret, body)},
    )
    assert other_body.status_code == 401


async def test_the_same_idempotency_key_with_other_data_is_a_422(live: Live) -> None:
    wf = await lead_workflow(live)
    first = await post_hook(
        live, wf["webhook_url"], b'{"email": "a@example.com"}', **{"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 202
    same = await post_hook(
        live, wf["webhook_url"], b'{ "email": "a@example.com" }', **{"Idempotency-Key": "k-1"}
    )
    assert same.status_code == 200 and same.json()["duplicate"] is True
    other = await post_hook(
        live, wf["webhook_url"], b'{"email": "b@example.com"}', **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert "different payload" in other.json()["error"]["message"]


async def test_odd_input_is_a_4xx_never_a_500(live: Live) -> None:
    wf = await lead_workflow(live)
    base = wf["webhook_url"].rsplit("/", 1)[0].split("://", 1)[1].split("/", 1)[1]
    async with httpx.AsyncClient(base_url=live.url) as client:
        hook = await client.post(f"/{base}/s%C3%A9cret", json={})
        assert hook.status_code == 404
        inbound = await client.post("/inbound/email/acme/s%C3%A9cret", json={})
        assert inbound.status_code == 404
        category = await client.get("/api/templates", params={"category": "foo"})
        assert category.status_code == 422
        assert "category" in category.json()["error"]["message"]
