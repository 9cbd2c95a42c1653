"""The webhook hub: a lead becomes one CRM contact and one Slack message, exactly once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.config import Settings
from storage.models import CrmContact, Role, Run
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from workflows.triggers.webhook import sign


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
        LEVQOR_WEBHOOK_MAX_BYTES=4096,
    )


async def lead_workflow(live: Live, **params: Any) -> dict[str, Any]:
    created = await live.as_(Role.admin).post(
        "/api/workflows",
        json={"template_id": "lead-capture-crm", "params": {"channel": "#sales", **params}},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    approved = await live.as_(Role.owner).post(f"/api/approvals/{body['approval']['id']}/approve")
    assert approved.json()["status"] == "active"
    result: dict[str, Any] = approved.json()
    return result


async def post_hook(live: Live, url: str, body: bytes, **headers: str) -> Any:
    path = url.split("://", 1)[1].split("/", 1)[1]
    return await live.as_().post(
        f"/{path}", content=body, headers={"content-type": "application/json", **headers}
    )


async def test_lead_delivery_creates_one_contact_and_one_message_once(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await lead_workflow(live)
    assert wf["webhook_url"].startswith("http") and wf["id"] in wf["webhook_url"]
    assert wf["form_url"] == f"http://127.0.0.1:8000/f/{wf['id']}"
    lead = json.dumps(
        {"email": "Dana@Example.com", "name": "Dana Lee", "company": "Lee Bakery"}
    ).encode()
    first = await post_hook(live, wf["webhook_url"], lead, **{"Idempotency-Key": "form-123"})
    assert first.status_code == 202, first.text
    run = await live.wait_for_run(first.json()["run_id"])
    assert run["status"] == "succeeded", run
    again = await post_hook(live, wf["webhook_url"], lead, **{"Idempotency-Key": "form-123"})
    assert again.status_code == 200
    assert again.json() == {"run_id": first.json()["run_id"], "duplicate": True}
    await live.runtime.drain()
    posts = fake_slack.calls("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].args["channel"] == "#sales" and "Dana Lee" in posts[0].args["text"]
    async with live.runtime.sessions() as session:
        contacts = (await session.exec(select(CrmContact))).all()
        runs = (await session.exec(select(Run))).all()
    assert [(c.email, c.name, c.company) for c in contacts] == [
        ("dana@example.com", "Dana Lee", "Lee Bakery")
    ]
    assert len(runs) == 1


async def test_bad_deliveries_get_clear_errors_and_start_nothing(live: Live) -> None:
    wf = await lead_workflow(live)
    url = wf["webhook_url"]
    too_big = await post_hook(live, url, b'{"email": "' + b"x" * 5000 + b'"}')
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
    not_json = await post_hook(live, url, b"{nope")
    assert not_json.status_code == 400 and "not valid JSON" in not_json.text
    wrong_secret = await post_hook(live, url.rsplit("/", 1)[0] + "/wrong", b"{}")
    assert wrong_secret.status_code == 404
    runs = (await live.as_().get("/api/runs")).json()
    assert runs == []


async def test_signed_webhooks_verify_the_hmac(live: Live) -> None:
    wf = await lead_workflow(live, signature_header="X-Form-Signature")
    secret = wf["webhook_url"].rsplit("/", 1)[1]
    body = json.dumps({"email": "sig@example.com"}).encode()
    unsigned = await post_hook(live, wf["webhook_url"], body)
    assert unsigned.status_code == 401 and "X-Form-Signature" in unsigned.text
    forged = await post_hook(live, wf["webhook_url"], body, **{"X-Form-Signature": "sha256=00"})
    assert forged.status_code == 401
    signed = await post_hook(
        live, wf["webhook_url"], body, **{"X-Form-Signature": sign(secret, body)}
    )
    assert signed.status_code == 202


async def test_paused_workflow_refuses_deliveries(live: Live) -> None:
    wf = await lead_workflow(live)
    await live.as_().post(f"/api/workflows/{wf['id']}/pause")
    response = await post_hook(live, wf["webhook_url"], b'{"email": "a@b.co"}')
    assert response.status_code == 409 and "paused" in response.text
