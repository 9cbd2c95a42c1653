"""Messages: every Slack/email message with its status in words, its run, and "Send now" once
the channel is connected (fake Slack Web API, a real SMTP server); runs say what was parked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from accounts.keys import create_key
from integrations.catalog import default_registry
from integrations.credentials import store_credential
from storage.config import Settings
from storage.models import Member, OutboxMessage, Workspace
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.smtp_inbox import smtp_inbox
from tests.web.conftest import PASSWORD, Web, csrf_of, screenshot
from tests.web.test_approvals_page import signed_up
from tests.workflows.helpers import activate, new_run
from workflows import messages

SPEC: dict[str, Any] = {
    "name": "Welcome Jane",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "tell",
            "action": "slack.post_message",
            "inputs": {"channel": "#ops", "text": "Jane signed up"},
        },
        {
            "id": "mail",
            "action": "email.send",
            "inputs": {"to": "jane@customer.example", "subject": "Welcome", "text": "Hi Jane"},
        },
    ],
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    # Slack's API is reachable, but no bot token and no SMTP: the default, nothing connected.
    return make_settings(tmp_path, database_url, SLACK_API_URL=fake_slack.url)


async def parked_run(web: Web, owner: Member) -> str:
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
    assert workspace is not None
    workflow = await activate(web.runtime.sessions, workspace, SPEC, default_registry())
    started = await new_run(web.runtime.sessions, workflow)
    task = web.runtime.submit(started.run.id)
    assert task is not None  # executed in this process (no run queue)
    await task
    return started.run.id


async def connect_slack(web: Web, owner: Member) -> None:
    async with web.runtime.sessions() as session:
        await store_credential(
            session, owner.workspace_id, "slack", "bot_token", TOKEN, settings=web.settings
        )
        await session.commit()


async def api_client(web: Web, owner: Member) -> httpx.AsyncClient:
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        key, _ = await create_key(session, workspace, owner.role, member=owner)
        await session.commit()
    return httpx.AsyncClient(base_url=web.url, headers={"Authorization": f"Bearer {key}"})


async def test_parked_messages_are_listed_in_words_and_sent_once_connected(
    web: Web,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    client, owner = await signed_up(web)
    run_id = await parked_run(web, owner)

    page = (await client.get("/messages")).text
    assert "Not sent: kept until Slack is connected" in page
    assert "Not sent: kept until email sending (SMTP) is connected" in page
    assert f'href="/runs/{run_id}"' in page and "Welcome Jane" in page
    assert "Send now</button>" not in page and ">pending<" not in page
    run_page = (await client.get(f"/runs/{run_id}")).text
    assert (
        "2 messages were not sent: kept until Slack is connected and email sending (SMTP)"
        " is connected." in run_page
    )
    assert ">2 not sent yet</a>" in (await client.get("/runs")).text

    api = await api_client(web, owner)
    parked = (await api.get("/api/messages", params={"status": "parked"})).json()
    assert {(m["channel"], m["target"], m["status"], m["run_id"]) for m in parked} == {
        ("slack", "#ops", "parked", run_id),
        ("email", "jane@customer.example", "parked", run_id),
    }
    assert all(not m["can_send_now"] for m in parked)
    assert (await api.get("/api/messages", params={"status": "sent"})).json() == []
    bad = await api.get("/api/messages", params={"status": "lost"})
    assert bad.status_code == 400 and "sent, parked, failed" in bad.text

    await connect_slack(web, owner)
    page = (await client.get("/messages")).text
    assert page.count("Send now</button>") == 1  # Slack now; email is still not connected
    [slack_id] = [m["id"] for m in parked if m["channel"] == "slack"]
    [mail_id] = [m["id"] for m in parked if m["channel"] == "email"]
    sent = await client.post(f"/messages/{slack_id}/send", data={"csrf_token": csrf_of(page)})
    assert sent.status_code == 303 and sent.headers["location"] == "/messages"
    assert "Sent to #ops." in (await client.get("/messages")).text
    assert [m["text"] for m in fake_slack.messages("#ops")] == ["Jane signed up"]

    again = await client.post(f"/messages/{slack_id}/send", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 303
    assert "not waiting to be sent" in (await client.get("/messages")).text
    refused = await api.post(f"/api/messages/{mail_id}/send")
    assert refused.status_code == 409 and "Connect Email first" in refused.text
    assert len(fake_slack.messages("#ops")) == 1
    [now_sent] = (await api.get("/api/messages", params={"status": "sent"})).json()
    assert now_sent["id"] == slack_id and now_sent["status_text"] == "Sent"
    assert (await api.get(f"/api/messages?run_id={run_id}")).json()[0]["run_id"] == run_id
    await api.aclose()
    await client.aclose()


async def test_a_parked_email_goes_out_through_smtp_once_connected(web: Web) -> None:
    client, owner = await signed_up(web)
    await parked_run(web, owner)
    [mail] = await messages_of(web, owner, "email")
    with smtp_inbox() as (inbox, port):
        connected = web.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        said = await messages.send_now(
            web.runtime.sessions, connected, web.runtime.http, owner.workspace_id, mail.id
        )
    assert said == "Sent to jane@customer.example."
    [got] = inbox.messages
    assert got["Subject"] == "Welcome" and got["Message-ID"] == mail.payload["message_id"]
    assert got.get_body(("plain",)).get_content().strip() == "Hi Jane"  # type: ignore[union-attr]
    [row] = await messages_of(web, owner, "email")
    assert row.status == "sent"

    # A server that refuses: the message says it failed and why.
    [slack_row] = await messages_of(web, owner, "slack")
    await connect_slack(web, owner)
    fake_down = web.settings.model_copy(update={"slack_api_url": "http://127.0.0.1:9/api/"})
    said = await messages.send_now(
        web.runtime.sessions, fake_down, web.runtime.http, owner.workspace_id, slack_row.id
    )
    assert said.startswith("Not sent. Failed: ")
    views = await _views(web, owner, "failed")
    assert [v.status for v in views] == ["failed"] and views[0].status_text.startswith("Failed: ")
    await client.aclose()


async def messages_of(web: Web, owner: Member, channel: str) -> list[OutboxMessage]:
    from sqlmodel import select

    async with web.runtime.sessions() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.workspace_id == owner.workspace_id, OutboxMessage.channel == channel
        )
        return list((await session.exec(query)).all())


async def _views(web: Web, owner: Member, status: str) -> list[messages.MessageView]:
    from storage.scope import Tenant

    async with web.runtime.sessions() as session:
        return await messages.list_messages(
            Tenant(session, owner.workspace_id), web.settings, status=status
        )


async def test_messages_page_in_the_browser(
    web: Web,
    page: Page,
    tmp_path: Path,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    client, owner = await signed_up(web)
    await parked_run(web, owner)
    await connect_slack(web, owner)
    await page.goto(f"{web.url}/signin")
    await page.get_by_label("Email").fill("olivia@acme.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"{web.url}/messages")
    await page.get_by_role("button", name="Send now to #ops").click()
    await page.get_by_text("Sent to #ops.").wait_for()
    await page.get_by_role("link", name="Not sent yet").click()
    await page.get_by_text("kept until email sending (SMTP) is connected").first.wait_for()
    await page.goto(f"{web.url}/messages")
    await screenshot(page, "messages", tmp_path, full_page=True)
    await client.aclose()


async def test_a_parked_email_goes_out_through_the_workspaces_own_verified_server(
    web: Web,
) -> None:
    import re

    client, owner = await signed_up(web)
    await parked_run(web, owner)
    [mail] = await messages_of(web, owner, "email")
    assert "Slack and email sending are not connected" in (await client.get("/messages")).text
    with smtp_inbox() as (inbox, port):
        page = await client.get("/connections")
        form = {
            "csrf_token": csrf_of(page.text), "mode": "smtp", "host": "127.0.0.1",
            "port": str(port), "security": "none", "username": "", "password": "",
            "sender": "ops@acme.example",
        }  # fmt: skip
        await client.post("/connections/email", data=form)
        await client.post("/connections/email/test", data={"csrf_token": form["csrf_token"]})
        link = re.search(r"(/connections/email/verify\?\S+)", inbox.messages[-1].get_content())
        assert link is not None
        assert (await client.get(link.group(1))).status_code == 303  # verified
        listed = (await client.get("/messages")).text
        assert "Slack is not connected, so Slack messages are kept here" in listed  # email is
        sent = await client.post(f"/messages/{mail.id}/send", data={"csrf_token": csrf_of(listed)})
        assert sent.status_code == 303
        delivered = [e for e in inbox.envelopes if e.rcpt_tos == ["jane@customer.example"]]
    [envelope] = delivered
    assert envelope.mail_from == "ops@acme.example"
    [row] = await messages_of(web, owner, "email")
    assert row.status == "sent"
    await client.aclose()
