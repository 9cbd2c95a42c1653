"""Workflow 1: the hosted form at /f/{id} → webhook hub → one CRM contact per email → Slack."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from agents.planner import draft
from storage.config import Settings
from storage.models import CrmContact, Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.e2e.test_auto_responder import approved_template, runs_of
from workflows.forms import form_token
from workflows.spec import WorkflowSpec

LEAD = {"name": "Dana Lee", "email": "Dana@Example.com", "company": "Lee Bakery",
        "message": "Catering for 40 people?"}  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


@pytest.fixture
async def public(live: Live) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    """A browser: no API key."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client


async def fresh_token(public: httpx.AsyncClient, form_id: str) -> str:
    page = await public.get(f"/f/{form_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def submit(public: httpx.AsyncClient, form_id: str, **fields: str) -> httpx.Response:
    return await public.post(f"/f/{form_id}", data=fields)


async def contacts(live: Live) -> list[CrmContact]:  # noqa: F811
    async with live.runtime.sessions() as session:
        return list((await session.exec(select(CrmContact))).all())


async def test_form_submission_creates_one_contact_per_email_and_tells_sales(
    live: Live,  # noqa: F811
    public: httpx.AsyncClient,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await approved_template(
        live, "lead-capture-crm", channel="#sales", form_title="Book a call"
    )
    page = await public.get(f"/f/{wf['id']}")
    html = page.text
    assert '<html lang="en">' in html and "<h1>Book a call</h1>" in html
    assert '<label for="field-email">' in html and 'id="field-email" name="email"' in html
    assert 'type="email"' in html and 'autocomplete="email"' in html and "aria-required" in html
    assert '<div class="trap" aria-hidden="true">' in html and 'tabindex="-1"' in html

    token = await fresh_token(public, wf["id"])
    thanks = await submit(public, wf["id"], form_token=token, website_url="", **LEAD)
    assert thanks.status_code == 200 and "get back to you within one working day" in thanks.text
    again = await submit(public, wf["id"], form_token=token, website_url="", **LEAD)  # double click
    assert again.status_code == 200
    await live.runtime.drain()
    [run] = await runs_of(live, wf["id"])
    assert run["trigger_type"] == "webhook" and run["status"] == "succeeded"
    assert run["trigger_payload"] == {
        "name": "Dana Lee", "email": "Dana@Example.com", "company": "Lee Bakery",
        "message": "Catering for 40 people?",
    }  # fmt: skip

    second = await fresh_token(public, wf["id"])
    repeat = {**LEAD, "email": "dana@example.com", "company": ""}
    assert (await submit(public, wf["id"], form_token=second, **repeat)).status_code == 200
    await live.runtime.drain()
    [contact] = await contacts(live)
    assert (contact.email, contact.name, contact.company, contact.source) == (
        "dana@example.com", "Dana Lee", "Lee Bakery", "website form"
    )  # fmt: skip
    posts = [c.args for c in fake_slack.calls("chat.postMessage")]
    assert [p["channel"] for p in posts] == ["#sales", "#sales"]
    assert "Dana Lee <Dana@Example.com> at Lee Bakery (new contact)" in posts[0]["text"]
    assert "\n> Catering for 40 people?" in posts[0]["text"]
    assert "(already in the CRM)" in posts[1]["text"]


async def test_bots_forged_tokens_and_bad_fields_start_nothing(
    live: Live,  # noqa: F811
    settings: Settings,
    public: httpx.AsyncClient,
) -> None:
    wf = await approved_template(live, "lead-capture-crm", channel="#sales")
    form_id = wf["id"]
    token = await fresh_token(public, form_id)
    bot = await submit(public, form_id, form_token=token, website_url="http://spam.example", **LEAD)
    assert bot.status_code == 200 and "Thank you" in bot.text  # same answer, nothing started

    forged = await submit(
        public, form_id, form_token=token[:-1] + ("1" if token.endswith("0") else "0"), **LEAD
    )
    assert forged.status_code == 400 and "could not be verified" in forged.text
    old = form_token(settings, form_id, now=time.time() - 2 * 86400)
    expired = await submit(public, form_id, form_token=old, **LEAD)
    assert expired.status_code == 400 and "has expired" in expired.text
    assert 'value="Dana Lee"' in expired.text  # what they typed is kept
    missing = await submit(public, form_id, **LEAD)
    assert missing.status_code == 400

    bad = {"name": "<script>alert(1)</script>", "email": "not-an-email"}
    invalid = await submit(public, form_id, form_token=await fresh_token(public, form_id), **bad)
    assert invalid.status_code == 422
    assert "<title>Error: Get in touch</title>" in invalid.text
    assert 'role="alert"' in invalid.text and 'href="#field-email"' in invalid.text
    assert 'aria-invalid="true" aria-describedby="error-email"' in invalid.text
    assert "<script>alert(1)</script>" not in invalid.text and "&lt;script&gt;" in invalid.text
    other = await public.post(f"/f/{form_id}", json=LEAD)
    assert other.status_code == 400

    await live.runtime.drain()
    assert await runs_of(live, form_id) == [] and await contacts(live) == []


async def test_only_active_webhook_workflows_with_a_form_serve_one(
    live: Live,  # noqa: F811
    public: httpx.AsyncClient,
) -> None:
    plain: dict[str, Any] = {
        "name": "Hook without a form",
        "trigger": {"type": "webhook"},
        "steps": [{"id": "note", "action": "slack.post_message",
                   "inputs": {"channel": "#x", "text": "hi"}}],
    }  # fmt: skip
    created = await live.as_(Role.owner).post("/api/workflows", json={"spec": plain})
    approval = created.json()["approval"]["id"]
    await live.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert (await public.get(f"/f/{created.json()['id']}")).status_code == 404
    assert (await public.get("/f/no-such-form")).status_code == 404

    wf = await approved_template(live, "lead-capture-crm", channel="#sales")
    token = await fresh_token(public, wf["id"])
    await live.as_().post(f"/api/workflows/{wf['id']}/pause")
    assert (await public.get(f"/f/{wf['id']}")).status_code == 404
    paused = await submit(public, wf["id"], form_token=token, **LEAD)
    assert paused.status_code == 404 and await runs_of(live, wf["id"]) == []


def test_lead_capture_is_draftable_from_plain_language() -> None:
    result = draft(
        "When someone fills in our website form add them to the CRM and tell #sales in Slack"
    )
    assert result.status == "draft" and result.workflow is not None
    spec = WorkflowSpec.model_validate(result.workflow)
    assert spec.trigger.type == "webhook"
    assert spec.actions() == ["crm.upsert_contact", "slack.post_message"]
