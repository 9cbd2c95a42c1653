"""Body limits at the front door: size refused while streaming, deep JSON refused, runs readable."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from storage.config import Settings
from storage.models import Role, Run
from tests.bot.api.test_webhooks import lead_workflow
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.workflows.test_stripe_trigger import SECRET, signed

WEBHOOK_LIMIT = 8 * 1024
API_LIMIT = 64 * 1024
INBOUND_LIMIT = 128 * 1024
JSON = {"content-type": "application/json"}
DEEP = ('{"a":' * 400 + "1" + "}" * 400).encode()  # 2.4 KB, 400 levels


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        STRIPE_WEBHOOK_SECRET=SECRET,
        LEVQOR_WEBHOOK_MAX_BYTES=WEBHOOK_LIMIT,
        LEVQOR_API_MAX_BYTES=API_LIMIT,
        LEVQOR_INBOUND_MAX_BYTES=INBOUND_LIMIT,
    )


def _path(url: str) -> str:
    return urlsplit(url).path


async def test_deep_json_to_a_webhook_is_refused_and_the_run_list_stays_readable(
    live: Live,
) -> None:
    wf = await lead_workflow(live)
    response = await live.as_().post(
        _path(wf["webhook_url"]), content=DEEP, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "deeper than" in response.json()["error"]["message"]
    listed = await live.as_().get("/api/runs")
    assert listed.status_code == 200 and listed.json() == []


async def test_a_stored_deep_payload_is_clipped_when_read(live: Live) -> None:
    wf = await lead_workflow(live)
    ok = await live.as_().post(_path(wf["webhook_url"]), json={"email": "a@example.com"})
    assert ok.status_code == 202
    deep: Any = 1
    for _ in range(400):
        deep = {"a": deep}
    async with live.runtime.sessions() as session:  # as a row stored before the limit existed
        run = (await session.exec(select(Run))).one()
        run.trigger_payload = deep
        session.add(run)
        await session.commit()
    listed = await live.as_().get("/api/runs")
    assert listed.status_code == 200, listed.text
    one = await live.as_().get(f"/api/runs/{run.id}")
    assert one.status_code == 200, one.text
    assert "nested too deep" in one.text


async def test_deep_json_in_rest_bodies_is_a_422(live: Live) -> None:
    deep: Any = 1
    for _ in range(300):
        deep = {"a": deep}
    spec = {
        "name": "Deep",
        "trigger": {"type": "manual"},
        "steps": [{"id": "s", "action": "slack.post_message", "inputs": {"x": deep}}],
    }
    created = await live.as_(Role.admin).post("/api/workflows", json={"spec": spec})
    assert created.status_code == 422, created.text
    assert created.json()["error"]["code"] == "invalid_request"


async def test_deep_json_on_inbound_stripe_and_slack_is_a_4xx(live: Live) -> None:
    stripe = await live.as_().post(
        "/hooks/stripe/acme",
        content=DEEP,
        headers={"content-type": "application/json", "stripe-signature": signed(DEEP)},
    )
    assert stripe.status_code == 422, stripe.text
    form = "payload=" + DEEP.decode()
    slack = await live.as_().post(
        "/slack/events",
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert slack.status_code == 422, slack.text
    inbound = await live.as_().post(
        "/inbound/email/acme/whatever", content=DEEP, headers={"content-type": "application/json"}
    )
    assert inbound.status_code == 422


async def _raw(url: str, head: str, chunks: int = 0, chunk: bytes = b"") -> tuple[int, int]:
    """Send `head`, then up to `chunks` chunked-encoding chunks; (status, bytes of body sent)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(head.encode())
    await writer.drain()
    sent = 0
    give_up = asyncio.get_running_loop().time() + 15
    try:
        for _ in range(chunks):
            waiting = reader.at_eof() or len(reader._buffer) > 0  # type: ignore[attr-defined]
            if waiting or asyncio.get_running_loop().time() > give_up:
                break
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
            sent += len(chunk)
            await asyncio.sleep(0)
    except (ConnectionResetError, BrokenPipeError):
        pass
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return int(status_line.split()[1]), sent


async def test_a_declared_huge_body_without_a_key_is_refused_before_it_is_read(
    live: Live,
) -> None:
    head = (
        "POST /api/workflows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {400 * 1024 * 1024}\r\n\r\n"
    )
    status, _ = await _raw(live.url, head)  # no byte of the body is sent: the answer comes first
    assert status == 413


@pytest.mark.parametrize("path", ["/slack/events", "/api/workflows", "/hooks/x/y"])
async def test_a_streamed_body_is_refused_soon_after_its_limit(live: Live, path: str) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    status, sent = await _raw(live.url, head, chunks=6400, chunk=b"x" * 64 * 1024)  # 400 MB
    assert status == 413
    assert sent < 32 * 1024 * 1024  # refused long before the 400 MB were sent


async def test_route_limits_follow_their_settings(live: Live) -> None:
    client = live.as_()
    hook = await client.post("/hooks/x/y", content=b"{" + b" " * WEBHOOK_LIMIT + b"}")
    assert hook.status_code == 413
    assert "8192" in hook.json()["error"]["message"]
    under_inbound = b'{"text": "' + b"x" * (WEBHOOK_LIMIT * 2) + b'"}'
    inbound = await client.post("/inbound/email/acme/nope", content=under_inbound, headers=JSON)
    assert inbound.status_code == 404  # within the inbound limit: the route answers
    over = await client.post("/api/workflows", content=json.dumps({"x": "y" * API_LIMIT}))
    assert over.status_code == 413


async def test_a_422_says_the_validators_sentence_without_pydantics_prefix(live: Live) -> None:
    both = await live.as_(Role.admin).post(
        "/api/workflows", json={"template_id": "lead-capture", "spec": {"name": "x"}}
    )
    assert both.status_code == 422, both.text
    details = both.json()["error"]["details"]
    assert [d["message"] for d in details] == ["give either template_id (with params) or spec"]
    assert "Value error" not in both.text
