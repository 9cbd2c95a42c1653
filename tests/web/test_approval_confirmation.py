"""A lone owner's own class C: the name typed on the page, then a link emailed (aiosmtpd) clicked.

Also: the REST API refuses the same shortcuts the page does, and class B self-approval in a
one-owner workspace needs its explicit confirmation everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from accounts.keys import create_key
from storage.config import Settings
from storage.models import Decision, WorkflowStatus, Workspace
from tests.conftest import make_settings
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, csrf_of, page_csrf
from tests.web.test_approvals_page import B_SPEC, C_SPEC, propose, section, signed_up, state


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as served:
        yield served


@pytest.fixture
def settings(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int]) -> Settings:
    return make_settings(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}")


def emailed_link(inbox: Inbox) -> str:
    [message] = inbox.messages
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/approvals/confirm/\S+", body.get_content())
    assert found, body.get_content()
    return urlsplit(found.group(0)).path


async def test_a_lone_owner_approves_their_own_class_c_by_name_and_emailed_link(
    web: Web, inbox: tuple[Inbox, int]
) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, C_SPEC, by_member=True)
    page = (await client.get("/approvals")).text
    card = section(page, "C")
    assert 'name="typed_name"' in card and "type its name" in card.lower()
    token = csrf_of(page)
    # The old way (tick the box) is not enough any more.
    ticked = await client.post(f"/approvals/{approval.id}/approve",
                               data={"csrf_token": token, "confirm": "true"})  # fmt: skip
    assert ticked.status_code == 303
    assert "type its name" in (await client.get("/approvals")).text.lower()
    assert inbox[0].messages == []
    named = {"csrf_token": token, "typed_name": "purge stale contacts"}
    typed = await client.post(f"/approvals/{approval.id}/approve", data=named)
    assert typed.status_code == 303
    after = (await client.get("/approvals")).text
    assert "We emailed olivia@acme.example a link" in after
    assert (await state(web, approval))[0].decision == Decision.pending
    path = emailed_link(inbox[0])
    assert path not in after  # the link only travels by email
    async with httpx.AsyncClient(base_url=web.url) as mailbox:  # no session: the link suffices
        shown = await mailbox.get(path)
        assert shown.status_code == 200 and "Purge stale contacts" in shown.text
        assert (await state(web, approval))[0].decision == Decision.pending  # a GET changes nothing
        form = re.search(r'<form[^>]*action="([^"]+)"', shown.text)
        assert form
        form_data = {"csrf_token": csrf_of(shown.text)}
        assert (await mailbox.post(form.group(1))).status_code == 403  # the page's form only
        clicked = await mailbox.post(form.group(1), data=form_data)
        assert clicked.status_code == 200 and "approved" in clicked.text.lower()
        again = await mailbox.post(form.group(1), data=form_data)
        assert again.status_code == 410 and "already been used" in again.text
    decided, workflow = await state(web, approval)
    assert decided.decision == Decision.approved and decided.decided_by == owner.id
    assert workflow.status == WorkflowStatus.active
    await client.aclose()


async def test_the_api_keeps_the_same_rules(web: Web, inbox: tuple[Inbox, int]) -> None:
    client, owner = await signed_up(web)
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        key, _ = await create_key(session, workspace, owner.role, member=owner)
        await session.commit()
    api = httpx.AsyncClient(base_url=web.url, headers={"Authorization": f"Bearer {key}"})
    purge = await propose(web, owner, C_SPEC, by_member=True)
    url = f"/api/approvals/{purge.id}/approve"
    refused = await api.post(url, json={"confirm": True})
    assert refused.status_code == 403 and "type its name" in refused.text
    asked = await api.post(url, json={"typed_name": "Purge stale contacts"})
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "confirmation_emailed"
    assert "olivia@acme.example" in asked.json()["message"]
    assert len(inbox[0].messages) == 1
    welcome = await propose(web, owner, B_SPEC, by_member=True)
    url = f"/api/approvals/{welcome.id}/approve"
    unconfirmed = await api.post(url)
    assert unconfirmed.status_code == 403 and "confirm" in unconfirmed.text
    assert (await api.post(url, json={"confirm": True})).status_code == 200
    await api.aclose()
    # The page asks for the same tick for a class B of one's own.
    other = await propose(web, owner, {**B_SPEC, "name": "Second welcome"}, by_member=True)
    b_card = section((await client.get("/approvals")).text, "B")
    assert f'id="confirm-{other.id}"' in b_card
    token = await page_csrf(client, "/approvals")
    await client.post(f"/approvals/{other.id}/approve", data={"csrf_token": token})
    assert (await state(web, other))[0].decision == Decision.pending
    await client.aclose()
