"""Slack alerts from three sources: a webhook order, a Stripe failed payment, a metric threshold."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agents.planner import draft
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from workflows.spec import WorkflowSpec

STRIPE_SECRET = "whsec_test_alerts"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
    )  # fmt: skip


async def approved(app: Live, body: dict[str, Any]) -> Any:
    """Create a workflow as an admin and approve it as the owner."""
    created = await app.as_(Role.admin).post("/api/workflows", json=body)
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    result = await app.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert result.status_code == 200 and result.json()["status"] == "active", result.text
    return result.json()


def posts_to(fake: FakeSlack, channel: str) -> list[str]:
    return [c.args["text"] for c in fake.calls("chat.postMessage") if c.args["channel"] == channel]


async def test_order_over_threshold_alerts_with_context(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    body = {"template_id": "slack-alert-notifications",
            "params": {"threshold": 500, "channel": "#orders"}}  # fmt: skip
    workflow = await approved(live, body)
    path = "/" + workflow["webhook_url"].split("/", 3)[3]
    small = {"event": "Order total", "value": 120, "customer": {"name": "Sam Small"}}
    big = {
        "event": "Order total", "value": 1250, "customer": {"name": "Dana Lee"},
        "message": "order #1001, 3 items", "url": "https://shop.example/admin/orders/1001",
    }  # fmt: skip
    for payload in (small, big):
        response = await live.as_().post(path, json=payload)
        assert response.status_code == 202, response.text
        run = await live.wait_for_run(response.json()["run_id"])
        assert run["status"] == "succeeded", run
    alerts = posts_to(fake_slack, "#orders")
    assert alerts == [
        ":warning: Order total is 1250 (threshold 500) for Dana Lee: order #1001, 3 items "
        "<https://shop.example/admin/orders/1001|Open>"
    ]


def stripe_signed(body: bytes, secret: str = STRIPE_SECRET) -> str:
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


async def test_stripe_payment_failed_alerts_with_reason_and_invoice_link(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    body = {"template_id": "failed-payment-alert",
            "params": {"channel": "#finance", "email_owners": False}}  # fmt: skip
    await approved(live, body)
    invoice = {
        "id": "in_1Pfailed", "object": "invoice", "amount_due": 4900, "currency": "usd",
        "customer": "cus_Dana", "customer_email": "dana@example.com", "customer_name": "Dana Lee",
        "number": "ACME-0042", "status": "open", "attempt_count": 2, "livemode": False,
        "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_abc",
        "payment_intent": {"id": "pi_1", "object": "payment_intent", "last_payment_error": {
            "code": "card_declined", "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds."}},
    }  # fmt: skip
    event = {"id": "evt_1Pfailed", "object": "event", "type": "invoice.payment_failed",
             "created": int(time.time()), "data": {"object": invoice}}  # fmt: skip
    raw = json.dumps(event).encode()
    async with httpx.AsyncClient(base_url=live.url) as stripe_client:
        forged = await stripe_client.post(
            "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": stripe_signed(raw, "x")}
        )
        assert forged.status_code == 400
        response = await stripe_client.post(
            "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": stripe_signed(raw)}
        )
        assert response.status_code == 202, response.text
        again = await stripe_client.post(
            "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": stripe_signed(raw)}
        )
        assert again.status_code in (200, 202)
    run_ids = response.json()["run_ids"]
    assert len(run_ids) == 1 and again.json()["run_ids"] == []
    assert (await live.wait_for_run(run_ids[0]))["status"] == "succeeded"
    await live.runtime.drain()
    assert posts_to(fake_slack, "#finance") == [
        ":x: Payment failed for Dana Lee (dana@example.com): 49.00 USD, invoice ACME-0042 "
        "(attempt 2)\nReason: Your card has insufficient funds.\n"
        "Invoice: https://invoice.stripe.com/i/acct_1/test_abc"
    ]


@pytest.fixture
def metrics() -> Iterator[tuple[LoopbackServer, dict[str, int]]]:
    values = {"queue_depth": 40}

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse({"queue_depth": values["queue_depth"], "service": "worker"})

    with serve_app(Starlette(routes=[Route("/metrics", endpoint)])) as server:
        yield server, values


async def test_metric_over_threshold_alerts_and_below_stays_quiet(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    metrics: tuple[LoopbackServer, dict[str, int]],
) -> None:
    server, values = metrics
    spec = {
        "name": "Queue depth alert",
        "trigger": {"type": "interval", "seconds": 300},
        "steps": [
            {"id": "metrics", "action": "http.request",
             "inputs": {"method": "GET", "url": f"{server.url}/metrics"}},
            {"id": "alert", "action": "slack.post_message",
             "when": "steps.metrics.json.queue_depth >= 100",
             "inputs": {"channel": "#ops", "text":
                ":rotating_light: Queue depth is {{ steps.metrics.json.queue_depth }} "
                "(threshold 100) on {{ steps.metrics.json.service }}. "
                "Metrics: <{{ steps.metrics.url }}|{{ steps.metrics.url }}>"}},
        ],
    }  # fmt: skip
    workflow = await approved(live, {"spec": spec})
    for depth in (40, 180, 99):
        values["queue_depth"] = depth
        await live.runtime.fire(workflow["id"])
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert [r["status"] for r in runs] == ["succeeded"] * 3
    url = f"{server.url}/metrics"
    assert posts_to(fake_slack, "#ops") == [
        f":rotating_light: Queue depth is 180 (threshold 100) on worker. Metrics: <{url}|{url}>"
    ]


@pytest.mark.parametrize(
    ("request_text", "trigger", "integrations"),
    [
        ("alert #orders in slack when an order over $500 comes in through our webhook",
         "webhook", {"slack"}),
        ("when a stripe payment fails, post the customer, amount and reason to #finance",
         "stripe", {"slack"}),
        # A metric read on a schedule is checked by alert.crossed: it alerts on the crossing only.
        ("check our metrics endpoint http://127.0.0.1:9000/metrics every 5 minutes and alert "
         "#ops in slack when the queue depth goes over 100", "schedule",
         {"http", "alert", "slack"}),
    ],
)  # fmt: skip
def test_alerts_are_draftable(request_text: str, trigger: str, integrations: set[str]) -> None:
    spec = WorkflowSpec.model_validate(draft(request_text).workflow)
    assert spec.trigger.type == trigger and set(spec.integrations()) == integrations
    assert all(action in default_registry() for action in spec.actions())
