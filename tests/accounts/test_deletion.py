"""Deleting a workspace: typed name, emailed link (aiosmtpd), schedules stop, hidden, restore."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from storage.config import Settings
from storage.models import Role, Run, Workspace
from tests.accounts.seed import Sessions, count_rows
from tests.bot.conftest import Live, start_live
from tests.conftest import make_settings
from tests.fakes.smtp_inbox import Inbox, smtp_inbox

SPEC = {
    "name": "Morning ping",
    "trigger": {"type": "schedule", "cron": "0 9 * * *"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "hi"}}
    ],
}


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return make_settings(
        tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp[1]}", LEVQOR_SCHEDULER=True
    )


@pytest.fixture
async def live(settings: Settings, sessions: Sessions, workspace: Workspace) -> AsyncIterator[Live]:
    app_live, server, task = await start_live(settings, sessions, workspace)
    try:
        yield app_live
    finally:
        for client in app_live.clients.values():
            await client.aclose()
        server.should_exit = True
        await task
        await app_live.runtime.close()


async def _scheduled(live: Live) -> str:
    created = (await live.as_(Role.admin).post("/api/workflows", json={"spec": SPEC})).json()
    approved = await live.as_(Role.owner).post(
        f"/api/approvals/{created['approval']['id']}/approve"
    )
    assert approved.status_code == 200, approved.text
    workflow_id = str(approved.json()["id"])
    assert live.runtime.scheduler is not None
    assert live.runtime.scheduler.next_fire_time(workflow_id) is not None
    return workflow_id


def _link(inbox: Inbox) -> str:
    body = inbox.messages[-1].get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/workspace/delete/\S+", body.get_content())
    assert found is not None
    return found.group(0)


async def test_owner_deletes_with_typed_name_and_emailed_link_then_restores(
    live: Live, smtp: tuple[Inbox, int], sessions: Sessions, settings: Settings
) -> None:
    inbox, _port = smtp
    workflow_id = await _scheduled(live)
    owner = live.as_(Role.owner)

    refused = await live.as_(Role.admin).request("DELETE", "/api/workspace", json={"name": "Acme"})
    assert refused.status_code == 403 and "only an owner" in refused.json()["error"]["message"]
    wrong = await owner.request("DELETE", "/api/workspace", json={"name": "acme inc"})
    assert wrong.status_code == 400 and "type the workspace's name" in wrong.text
    assert inbox.messages == [] and (await owner.get("/api/workspace")).status_code == 200

    asked = await owner.request("DELETE", "/api/workspace", json={"name": "Acme"})
    assert asked.status_code == 202, asked.text
    assert "owner@example.com" in asked.json()["message"]
    assert inbox.envelopes[-1].rcpt_tos == ["owner@example.com"]
    link = _link(inbox).replace(settings.public_url, live.url)
    assert (await owner.get("/api/workspace")).status_code == 200  # nothing happens until confirmed

    async with httpx.AsyncClient() as browser:
        page = await browser.get(link)
        assert page.status_code == 200 and "Delete “Acme”?" in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        done = await browser.post(link, data={"csrf_token": token.group(1)})
        assert done.status_code == 200 and "is deleted" in done.text
        again = await browser.post(link, data={"csrf_token": token.group(1)})
        assert again.status_code == 410  # the link works once

    hidden = await owner.get("/api/workflows")
    assert hidden.status_code == 410 and "restore" in hidden.json()["error"]["message"]
    assert live.runtime.scheduler is not None
    assert live.runtime.scheduler.next_fire_time(workflow_id) is None  # schedules stopped at once
    await live.runtime.fire(workflow_id)  # a fire already on its way starts nothing
    assert await count_rows(sessions, Run, live.workspace.id) == 0

    not_owner = await live.as_(Role.admin).post("/api/workspace/restore")
    assert not_owner.status_code == 403
    restored = await owner.post("/api/workspace/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert (await owner.get("/api/workflows")).status_code == 200
    assert live.runtime.scheduler.next_fire_time(workflow_id) is not None
    audit = (await owner.get("/api/workflows")).status_code
    assert audit == 200
