"""The first-run checklist on the chat page: each step is ticked by doing it, and it goes away
once all four are done (connect a channel, create an automation, try it, approve it)."""

from __future__ import annotations

import re

from integrations.credentials import store_credential
from storage.scope import Tenant
from tests.web.conftest import Web, csrf_of
from tests.web.test_approvals_page import signed_up
from workflows import service

SPEC = {
    "name": "Hello team",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "hi"}}
    ],
}


def ticked(page: str) -> list[str]:
    """The keys of the steps shown as done."""
    return re.findall(r'<li class="done" data-step="(\w+)"', page)


async def test_the_checklist_follows_what_the_owner_does(web: Web) -> None:
    client, owner = await signed_up(web)
    page = (await client.get("/")).text
    assert "Get started" in page and "0 of 4 done" in page and ticked(page) == []
    assert 'href="/connections"' in page and "Connect Slack or email sending" in page

    async with web.runtime.sessions() as session:
        tenant = Tenant(session, owner.workspace_id)
        spec = service.parse_spec(SPEC, web.runtime.registry)
        proposal = await service.create_workflow(tenant, spec, web.runtime.registry, owner)
        await session.commit()
        approval_id = proposal.approval.id
    page = (await client.get("/")).text
    assert ticked(page) == ["create"] and "1 of 4 done" in page

    tried = await client.post(
        "/chat/try", json={"approval_id": approval_id}, headers={"X-CSRF-Token": csrf_of(page)}
    )
    assert tried.status_code == 200
    assert ticked((await client.get("/")).text) == ["create", "try"]

    async with web.runtime.sessions() as session:
        tenant = Tenant(session, owner.workspace_id)
        await service.decide(tenant, approval_id, owner, approve=True, confirm=True)
        await session.commit()
    assert ticked((await client.get("/")).text) == ["create", "try", "approve"]

    async with web.runtime.sessions() as session:
        await store_credential(
            session, owner.workspace_id, "slack", "bot_token", "xoxb-1", settings=web.settings
        )
        await session.commit()
    page = (await client.get("/")).text
    assert "Get started" not in page and 'id="checklist"' not in page
    await client.aclose()
