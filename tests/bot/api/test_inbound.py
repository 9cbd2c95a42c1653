"""Inbound HTTP: a provider's parsed email (JSON and forms) and signed Stripe events, end to end."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from bot.cli import mail as mail_cli
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.workflows.helpers import activate
from tests.workflows.test_email_trigger import TRIAGE
from tests.workflows.test_stripe_trigger import SECRET, notify, signed
from workflows.triggers.email import webhook_secret, webhook_url
from workflows.triggers.inbound_signature import mailgun_fields

FIXTURES = Path(__file__).parents[2] / "fixtures"
QUESTION = {
    "from": "Dana Lee <dana@example.com>",
    "to": "support@acme.levqor.localhost",
    "subject": "Where is my order #1234?",
    "text": "Hi, my order #1234 has not arrived yet.",
    "html": "<p>Hi, my order #1234 has not arrived yet.</p>",
    "headers": {"Message-ID": "<q-1@example.com>"},
}
LIMIT = 64 * 1024


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path, database_url, STRIPE_WEBHOOK_SECRET=SECRET, LEVQOR_INBOUND_MAX_BYTES=LIMIT
    )


def email_path(live: Live) -> str:
    return "/" + webhook_url(live.runtime.settings, live.workspace).split("/", 3)[3]


def signed_mail(live: Live, fields: dict[str, Any]) -> dict[str, Any]:
    """The delivery with Mailgun-style signature fields keyed with the workspace's secret."""
    return {**fields, **mailgun_fields(webhook_secret(live.runtime.settings, live.workspace))}


async def outbox(live: Live) -> list[dict[str, Any]]:
    await live.runtime.drain()
    rows: list[dict[str, Any]] = (await live.as_().get("/api/outbox")).json()
    return rows


async def test_json_mail_runs_the_email_workflow_once(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, TRIAGE, live.runtime.registry)
    client = live.as_()
    first = await client.post(email_path(live), json=signed_mail(live, QUESTION))
    assert first.status_code == 202, first.text
    assert len(first.json()["run_ids"]) == 1 and first.json()["skipped"] is None
    run = await live.wait_for_run(first.json()["run_ids"][0])
    assert run["status"] == "succeeded", run
    assert run["trigger_type"] == "email"
    again = await client.post(email_path(live), json=signed_mail(live, QUESTION))
    assert again.status_code == 202
    assert again.json()["run_ids"] == [] and again.json()["duplicate_run_ids"] == [run["id"]]
    assert "duplicate" in again.json()["skipped"]
    messages = await outbox(live)
    assert [(m["channel"], m["target"]) for m in messages] == [("slack", "#support")]
    assert messages[0]["body"] == "dana@example.com: Where is my order #1234?"


async def test_mailgun_and_sendgrid_forms_start_runs(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, TRIAGE, live.runtime.registry)
    mailgun = {
        "sender": "dana@example.com",
        "recipient": "support@acme.levqor.localhost",
        "from": "Dana Lee <dana@example.com>",
        "subject": "Mailgun: where is my order?",
        "body-plain": "Order #1234, please.",
        "Message-Id": "<mg-1@example.com>",
    }
    posted = await live.as_().post(email_path(live), data=signed_mail(live, mailgun))
    assert posted.status_code == 202 and len(posted.json()["run_ids"]) == 1, posted.text
    sendgrid = {
        "from": "Eve <eve@example.com>",
        "to": "Acme <support@acme.levqor.localhost>",
        "subject": "SendGrid: invoice question",
        "text": "Please resend the invoice.",
        "headers": "Message-ID: <sg-1@example.com>\nDate: Mon, 02 Jun 2025 09:15:00 +0000\n",
        "envelope": json.dumps({"to": ["support@acme.levqor.localhost"], "from": "eve@x.com"}),
    }
    attachment = {"attachment1": ("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")}
    posted = await live.as_().post(
        email_path(live), data=signed_mail(live, sendgrid), files=attachment
    )
    assert posted.status_code == 202 and len(posted.json()["run_ids"]) == 1, posted.text
    run = await live.wait_for_run(posted.json()["run_ids"][0])
    assert run["trigger_payload"]["from"] == "eve@example.com"
    assert run["trigger_payload"]["message_id"] == "<sg-1@example.com>"
    bodies = sorted(m["body"] for m in await outbox(live))
    assert bodies == [
        "dana@example.com: Mailgun: where is my order?",
        "eve@example.com: SendGrid: invoice question",
    ]


async def test_guarded_mail_is_accepted_but_starts_nothing(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, TRIAGE, live.runtime.registry)
    auto = dict(QUESTION, headers={"Message-ID": "<ooo@x>", "Auto-Submitted": "auto-replied"})
    response = await live.as_().post(email_path(live), json=signed_mail(live, auto))
    assert response.status_code == 202
    assert response.json()["run_ids"] == [] and "Auto-Submitted" in response.json()["skipped"]
    noreply = dict(QUESTION, **{"from": "no-reply@shop.example"})
    response = await live.as_().post(email_path(live), json=signed_mail(live, noreply))
    assert response.json()["run_ids"] == [] and "no-reply" in response.json()["skipped"]
    assert (await live.as_().get("/api/runs")).json() == []


async def test_bad_email_deliveries_get_clear_errors(live: Live) -> None:
    client = live.as_()
    path = email_path(live)
    wrong = await client.post(path[:-4] + "0000", json=signed_mail(live, QUESTION))
    assert wrong.status_code == 404
    other = await client.post(path.replace("/acme/", "/other/"), json=signed_mail(live, QUESTION))
    assert other.status_code == 404
    big = dict(QUESTION, text="x" * (LIMIT + 1))
    too_big = await client.post(path, json=big)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
    assert str(LIMIT) in too_big.json()["error"]["message"]

    async def chunks() -> Any:  # no Content-Length: the limit holds while streaming
        for _ in range(5):
            yield b"x" * (LIMIT // 4)

    streamed = await client.post(path, content=chunks(), headers={"content-type": "text/plain"})
    assert streamed.status_code == 413
    not_json = await client.post(path, content=b"{nope", headers={"content-type": "text/plain"})
    assert not_json.status_code == 400
    assert (await client.get("/api/runs")).json() == []


async def post_event(live: Live, body: bytes, signature: str | None, slug: str = "acme") -> Any:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as stripe_client:
        return await stripe_client.post(f"/hooks/stripe/{slug}", content=body, headers=headers)


async def test_signed_stripe_event_runs_matching_workflows_once(live: Live) -> None:
    registry, sessions = live.runtime.registry, live.runtime.sessions
    await activate(sessions, live.workspace, notify(["invoice.*"]), registry)
    await activate(sessions, live.workspace, notify(["invoice.payment_failed"]), registry)
    await activate(sessions, live.workspace, notify(["customer.created"]), registry)
    body = (FIXTURES / "stripe" / "invoice_payment_failed.json").read_bytes()
    first = await post_event(live, body, signed(body))
    assert first.status_code == 202, first.text
    run_ids = first.json()["run_ids"]
    assert len(run_ids) == 2  # the wildcard and the exact type; not customer.created
    for run_id in run_ids:
        run = await live.wait_for_run(run_id)
        assert run["status"] == "succeeded" and run["trigger_type"] == "stripe"
        assert run["trigger_payload"]["data"]["object"]["id"] == "in_1Pfailed"
    again = await post_event(live, body, signed(body))
    assert again.status_code == 202
    assert again.json()["run_ids"] == [] and sorted(again.json()["duplicate_run_ids"]) == sorted(
        run_ids
    )
    paid = (FIXTURES / "stripe" / "invoice_paid.json").read_bytes()
    only_wildcard = await post_event(live, paid, signed(paid))
    assert len(only_wildcard.json()["run_ids"]) == 1
    bodies = sorted(m["body"] for m in await outbox(live))
    assert bodies == ["invoice.paid", "invoice.payment_failed", "invoice.payment_failed"]


async def test_bad_stripe_deliveries_are_refused_and_process_nothing(live: Live) -> None:
    await activate(
        live.runtime.sessions, live.workspace, notify(["invoice.*"]), live.runtime.registry
    )
    body = (FIXTURES / "stripe" / "invoice_payment_failed.json").read_bytes()
    stale = signed(body, at=int(time.time()) - 3600)
    for signature in (None, "t=1,v1=00", signed(body, secret="whsec_other"), stale):
        response = await post_event(live, body, signature)
        assert response.status_code == 400, (signature, response.text)
        assert "Stripe signature" in response.json()["error"]["message"]
    unknown = await post_event(live, body, signed(body), slug="nobody")
    assert unknown.status_code == 404
    assert (await live.as_(Role.viewer).get("/api/runs")).json() == []


async def test_the_cli_prints_the_webhook_url_that_accepts_mail(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, TRIAGE, live.runtime.registry)
    app = typer.Typer()
    app.callback()(lambda: None)
    mail_cli.register(app)
    settings = live.runtime.settings
    env = {
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.sync_database_url,
        "LEVQOR_SECRET_KEY": settings.resolved_secret_key,
        "LEVQOR_PUBLIC_URL": live.url,
    }
    args = ["mail-gateway", "--show-webhook-url", "--workspace", "acme"]
    result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
    assert result.exit_code == 0, result.output
    url = result.output.split("webhook: ", 1)[1].split()[0]
    assert "addresses: <name>@acme.levqor.localhost" in result.output
    posted = await live.as_().post(url, json=signed_mail(live, QUESTION))
    assert posted.status_code == 202 and len(posted.json()["run_ids"]) == 1
    missing = await asyncio.to_thread(CliRunner().invoke, app, [*args[:-1], "nobody"], env=env)
    assert missing.exit_code != 0 and "no workspace 'nobody'" in missing.output
