"""Connections over REST on a live Levqor: connect, "Send a test", disconnect; Stripe events per
workspace; named HTTP secrets in steps. Secrets go in and never come out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accounts.keys import create_key
from integrations.base import ActionContext
from integrations.catalog import default_registry
from integrations.connections import MissingConnection
from storage.config import Settings
from storage.models import AuditLog, Credential, Member, Role, Workspace
from tests.bot.api.test_inbound import post_event
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.hubspot_api import FakeHubSpot
from tests.fakes.openai_server import serve_loopback
from tests.fakes.stripe_api import FakeStripe
from tests.workflows.helpers import activate
from tests.workflows.test_stripe_trigger import notify, signed

KEY = "rk_test_acme_restricted_4242"
HUBSPOT_TOKEN = "pat-na1-acme-token-0001"
INSTANCE_SECRET = "whsec_instance_wide_secret"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "stripe"


@pytest.fixture
async def stripe_api() -> AsyncIterator[FakeStripe]:
    async with FakeStripe.running(KEY) as fake:
        fake.add_customer("cus_1", email="a@b.co")
        yield fake


@pytest.fixture
async def hubspot() -> AsyncIterator[FakeHubSpot]:
    async with FakeHubSpot.running(HUBSPOT_TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, stripe_api: FakeStripe, hubspot: FakeHubSpot
) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        STRIPE_API_BASE=stripe_api.url,
        HUBSPOT_API_BASE=hubspot.url,
        STRIPE_WEBHOOK_SECRET=INSTANCE_SECRET,
    )


async def _stored_ciphertexts(live: Live) -> list[str]:
    async with live.runtime.sessions() as session:
        return [r.ciphertext for r in (await session.exec(select(Credential))).all()]


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["integration"]: r for r in rows}


async def test_stripe_connect_test_and_disconnect(live: Live, stripe_api: FakeStripe) -> None:
    owner, viewer = live.as_(), live.as_(Role.viewer)
    listed = _by_name((await viewer.get("/api/connections")).json())
    assert list(listed) == ["slack", "email", "stripe", "hubspot", "google", "http"]
    assert listed["stripe"]["status"] == "not_connected"
    assert listed["stripe"]["details"]["Webhook address"].endswith("/hooks/stripe/acme")

    refused = await viewer.put("/api/connections/stripe", json={"api_key": KEY})
    assert refused.status_code == 403
    empty = await owner.put("/api/connections/stripe", json={})
    assert empty.status_code == 400 and empty.json()["error"]["message"] == (
        "Please fill in the Stripe key (a restricted key, rk_live_…), the webhook signing "
        "secret (whsec_…), or both."
    )
    bad = await owner.put("/api/connections/stripe", json={"api_key": "sk_oops"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == (
        "Please check the Stripe key: it starts with rk_live_, rk_test_, sk_live_ or sk_test_."
    )
    assert _by_name((await owner.get("/api/connections")).json())["stripe"]["status"] == (
        "not_connected"
    )

    saved = await owner.put(
        "/api/connections/stripe", json={"api_key": KEY, "webhook_secret": "whsec_acme_secret1"}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "connected" and saved.json()["status_text"] == "Connected"
    assert "ending 4242" in saved.json()["summary"]
    for secret in (KEY, "whsec_acme_secret1"):
        assert secret not in saved.text
        assert secret not in (await owner.get("/api/connections")).text
        assert all(secret not in c for c in await _stored_ciphertexts(live))

    tested = await owner.post("/api/connections/stripe/test")
    assert tested.status_code == 200
    assert tested.json()["ok"] is True, tested.json()
    assert tested.json()["message"] == (
        "Stripe accepted the key: Levqor can read your Stripe account."
    )
    assert stripe_api.calls[-1].path == "/v1/customers"  # the fake checked the Bearer key

    # A key Stripe refuses: the test says so in words and the connection needs attention.
    await owner.put("/api/connections/stripe", json={"api_key": "rk_test_revoked_0000"})
    failed = (await owner.post("/api/connections/stripe/test")).json()
    assert failed["ok"] is False and "refused the saved key" in failed["message"]
    assert failed["connection"]["status_text"] == "Needs attention"

    assert (await viewer.delete("/api/connections/stripe")).status_code == 403
    assert (await owner.delete("/api/connections/stripe")).status_code == 204
    async with live.runtime.sessions() as session:
        audit = (await session.exec(select(AuditLog).order_by(col(AuditLog.id)))).all()
    logged = [(a.action, a.subject, a.detail) for a in audit if a.action.startswith("connection")]
    assert logged[:2] == [
        ("connection.saved", "stripe", {"fields": ["api_key", "webhook_secret"]}),
        ("connection.saved", "stripe", {"fields": ["api_key"]}),
    ]
    assert logged[-1][:2] == ("connection.removed", "stripe")
    assert all(KEY not in str(a.detail) for a in audit)
    assert await _stored_ciphertexts(live) == []
    listed = _by_name((await owner.get("/api/connections")).json())
    assert listed["stripe"]["status"] == "not_connected"
    assert (await owner.delete("/api/connections/stripe")).status_code == 404
    assert (await owner.put("/api/connections/nope", json={})).status_code == 404


async def _second_workspace(live: Live) -> httpx.AsyncClient:
    async with live.runtime.sessions() as session:
        beta = Workspace(slug="beta", name="Beta")
        session.add(beta)
        await session.flush()
        owner = Member(workspace_id=beta.id, name="Bea", role=Role.owner, email="bea@beta.co")
        session.add(owner)
        await session.flush()
        key, _ = await create_key(session, beta, Role.owner, member=owner)
        await session.commit()
    await activate(live.runtime.sessions, beta, notify(["invoice.*"]), live.runtime.registry)
    return httpx.AsyncClient(
        base_url=live.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


async def test_each_workspace_accepts_only_events_signed_with_its_own_secret(live: Live) -> None:
    await activate(
        live.runtime.sessions, live.workspace, notify(["invoice.*"]), live.runtime.registry
    )
    acme_secret, beta_secret = "whsec_acme_only_111", "whsec_beta_only_222"
    async with await _second_workspace(live) as beta:
        put = await beta.put("/api/connections/stripe", json={"webhook_secret": beta_secret})
        assert put.status_code == 200, put.text
        assert "add one to read Stripe" in put.json()["summary"]
    await live.as_().put("/api/connections/stripe", json={"webhook_secret": acme_secret})
    body = (FIXTURES / "invoice_payment_failed.json").read_bytes()

    for_acme = signed(body, secret=acme_secret)
    accepted = await post_event(live, body, for_acme, slug="acme")
    assert accepted.status_code == 202 and len(accepted.json()["run_ids"]) == 1
    replayed = await post_event(live, body, for_acme, slug="beta")  # re-posted to beta's URL
    assert replayed.status_code == 400
    assert "Stripe signature" in replayed.json()["error"]["message"]

    for_beta = signed(body, secret=beta_secret)
    assert (await post_event(live, body, for_beta, slug="acme")).status_code == 400
    assert len((await post_event(live, body, for_beta, slug="beta")).json()["run_ids"]) == 1
    # The instance-wide secret no longer opens a workspace that saved its own.
    instance = signed(body, secret=INSTANCE_SECRET)
    assert (await post_event(live, body, instance, slug="acme")).status_code == 400


async def test_hubspot_token_is_tested_against_hubspot(live: Live, hubspot: FakeHubSpot) -> None:
    owner = live.as_()
    short = await owner.put("/api/connections/hubspot", json={"token": "x"})
    assert short.status_code == 400 and short.json()["error"]["message"] == (
        "Please check the token."
    )
    saved = await owner.put("/api/connections/hubspot", json={"token": HUBSPOT_TOKEN})
    assert saved.json()["summary"] == "Uses the private-app token ending 0001"
    tested = (await owner.post("/api/connections/hubspot/test")).json()
    assert tested["ok"] is True and tested["message"].startswith("HubSpot accepted the token")
    assert hubspot.calls and hubspot.calls[-1].path.endswith("/search")
    assert HUBSPOT_TOKEN not in str(tested)


def _echo_server() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"headers": dict(request.headers)})

    return Starlette(routes=[Route("/echo", echo)])


async def test_named_http_secrets_are_sent_by_steps_that_name_them(live: Live) -> None:
    owner = live.as_()
    saved = await owner.put(
        "/api/connections/http",
        json={
            "secrets": [
                {"name": "crm_api", "header": "X-Api-Key", "scheme": "plain", "value": "s3cr3t"},
                {"name": "billing", "value": "tok_bill"},
            ]
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["secrets"] == ["billing", "crm_api"] and "s3cr3t" not in saved.text
    bad_name = await owner.put(
        "/api/connections/http", json={"secrets": [{"name": "Bad Name", "value": "v"}]}
    )
    assert bad_name.json()["error"]["message"] == (
        "Please check the secret's name: use lower-case letters, digits and _ (like crm_api)."
    )

    action = default_registry().get("http.request")
    async with serve_loopback(_echo_server()) as url:
        ctx = ActionContext(
            live.runtime.settings, live.runtime.sessions, live.runtime.http, live.workspace.id,
            "wf", "run", "call", "run:call",
        )  # fmt: skip
        out = await action.run(ctx, {"url": f"{url}/echo", "auth": "crm_api"})
        assert out.model_dump(by_alias=True)["json"]["headers"]["x-api-key"] == "s3cr3t"
        out = await action.run(ctx, {"url": f"{url}/echo", "auth": "billing"})
        assert out.model_dump(by_alias=True)["json"]["headers"]["authorization"] == (
            "Bearer tok_bill"
        )
        removed = await owner.put("/api/connections/http", json={"remove": ["crm_api"]})
        assert removed.json()["secrets"] == ["billing"]
        with pytest.raises(MissingConnection) as missing:
            await action.run(ctx, {"url": f"{url}/echo", "auth": "crm_api"})
    assert str(missing.value) == (
        "There is no saved HTTP secret named crm_api. Add the HTTP secrets connection on the "
        f"Connections page ({live.runtime.settings.public_url}/connections#http) and try again."
    )


async def test_google_and_slack_are_connected_elsewhere(live: Live) -> None:
    owner = live.as_()
    google = await owner.put("/api/connections/google", json={})
    assert google.status_code == 400
    assert "GOOGLE_CLIENT_ID" in google.json()["error"]["message"]
    slack = await owner.put("/api/connections/slack", json={})
    assert slack.status_code == 400
    assert "Connect Slack on the Connections page" in slack.json()["error"]["message"]
    assert "/connections#slack" in slack.json()["error"]["message"]
