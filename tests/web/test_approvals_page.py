"""The approvals page: the queue by class, approve/reject with reasons, class C confirmation."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlmodel import select

from storage.models import Approval, Decision, Member, WebLogin, Workflow, WorkflowStatus
from storage.scope import Tenant
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser
from workflows import service

A_SPEC = {
    "name": "Ops digest",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
    ],
}
B_SPEC = {
    "name": "Welcome email",
    "trigger": {"type": "webhook"},
    "steps": [
        {
            "id": "welcome",
            "action": "email.send",
            "inputs": {"to": "{{ trigger.email }}", "subject": "Welcome", "text": "Hello"},
        }
    ],
}
C_SPEC = {
    "name": "Purge stale contacts",
    "trigger": {"type": "manual"},
    "steps": [{"id": "purge", "action": "crm.delete_contacts", "inputs": {"inactive_for": "365d"}}],
}


async def owner_of(web: Web, email: str) -> Member:
    """The member behind a web login."""
    async with web.runtime.sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
        member = await session.get(Member, login.member_id)
    assert member is not None
    return member


async def propose(web: Web, member: Member, spec: dict[str, Any], *, by_member: bool) -> Approval:
    """Store a workflow waiting for approval, requested by `member` (or by the assistant)."""
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, member.workspace_id)
        parsed = service.parse_spec(spec, web.runtime.registry)
        requester = member if by_member else None
        proposal = await service.create_workflow(tenant, parsed, web.runtime.registry, requester)
        await session.commit()
        return proposal.approval


async def state(web: Web, approval: Approval) -> tuple[Approval, Workflow]:
    """The approval and its workflow as stored now."""
    async with web.runtime.sessions() as session:
        fresh = await session.get(Approval, approval.id)
        workflow = await session.get(Workflow, approval.workflow_id)
    assert fresh is not None and workflow is not None
    return fresh, workflow


def section(html: str, cls: str) -> str:
    """The HTML of one class's group on the page."""
    found = re.search(
        rf'<section class="class-group" aria-labelledby="class-{cls}">(.*?)</section>', html, re.S
    )
    assert found, f"no class {cls} group"
    return found.group(1)


async def signed_up(
    web: Web, email: str = "olivia@acme.example"
) -> tuple[httpx.AsyncClient, Member]:
    client = await sign_up_client(web, email=email)
    return client, await owner_of(web, email)


async def test_pending_requests_are_grouped_by_class_with_what_they_do(web: Web) -> None:
    client, owner = await signed_up(web)
    await propose(web, owner, C_SPEC, by_member=True)
    await propose(web, owner, A_SPEC, by_member=True)
    await propose(web, owner, B_SPEC, by_member=False)
    page = (await client.get("/approvals")).text
    a, b, c = section(page, "A"), section(page, "B"), section(page, "C")
    assert "Ops digest" in a and "Welcome email" not in a and "Purge stale contacts" not in a
    assert "Welcome email" in b and "Ops digest" not in b
    assert "Purge stale contacts" in c and "Welcome email" not in c
    assert "Internal, low risk" in a and "outside" in b and "an owner" in c
    assert "Requested by Olivia" in a and "Requested by the assistant" in b
    assert "every Monday at 09:00 (UTC)" in a and "Post “hi” in #ops" in a
    assert "Step 1 reaches people outside your team" in b and "email.send" not in b
    # Her own class C, as the only owner: she types its name (then confirms by email).
    assert 'name="typed_name"' in c and 'name="confirm"' not in a
    workflow_link = re.search(r'href="/workflows/([0-9a-f]{32})"', a)
    assert workflow_link
    await client.aclose()


async def test_owner_approves_with_a_reason_and_the_workflow_becomes_active(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, A_SPEC, by_member=True)
    token = await page_csrf(client, "/approvals")
    async with web.runtime.live.subscribe(owner.workspace_id) as events:
        response = await client.post(
            f"/approvals/{approval.id}/approve",
            data={"csrf_token": token, "reason": "Looks right to me"},
        )
        event = await asyncio.wait_for(events.get(), 5)
    assert response.status_code == 303 and response.headers["location"] == "/approvals"
    assert (event.kind, event.workflow_id) == ("approval.decided", approval.workflow_id)
    decided, workflow = await state(web, approval)
    assert decided.decision == Decision.approved and decided.reason == "Looks right to me"
    assert workflow.status == WorkflowStatus.active and workflow.active_version == 1
    after = (await client.get("/approvals")).text
    assert "Approved “Ops digest” v1: the workflow is active." in after
    assert "Looks right to me" in after.split('id="history-title"')[1]
    again = (await client.get("/approvals")).text
    assert "Approved “Ops digest”" not in again  # the message shows once
    await client.aclose()


async def test_reject_with_a_reason_is_recorded_in_the_history(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, B_SPEC, by_member=False)
    token = await page_csrf(client, "/approvals")
    response = await client.post(
        f"/approvals/{approval.id}/reject",
        data={"csrf_token": token, "reason": "Wrong sender address"},
        headers={"referer": f"{web.url}/approvals?view=history"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/approvals?view=history"
    decided, workflow = await state(web, approval)
    assert decided.decision == Decision.rejected and workflow.status == WorkflowStatus.draft
    history = (await client.get("/approvals?view=history")).text
    row = re.search(r'<tr class="decided rejected">(.*?)</tr>', history, re.S)
    assert row and "Welcome email" in row.group(1) and "Wrong sender address" in row.group(1)
    assert "Olivia" in row.group(1)
    assert "Rejected “Welcome email” v1." in history
    await client.aclose()


async def test_class_c_without_confirmation_shows_why_and_changes_nothing(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, C_SPEC, by_member=False)  # asked for by the assistant
    token = await page_csrf(client, "/approvals")
    refused = await client.post(
        f"/approvals/{approval.id}/approve", data={"csrf_token": token, "reason": "ok"}
    )
    assert refused.status_code == 303
    page = (await client.get("/approvals")).text
    assert 'class="alert error flash"' in page
    assert "type “Purge stale contacts” to approve it" in page
    unchanged, workflow = await state(web, approval)
    assert unchanged.decision == Decision.pending and unchanged.reason is None
    assert workflow.status == WorkflowStatus.pending_approval
    assert "Purge stale contacts" in section(page, "C")  # still waiting
    assert f'id="typed-{approval.id}"' in section(page, "C")
    ticked = await client.post(  # a ticked box is not the typed name
        f"/approvals/{approval.id}/approve",
        data={"csrf_token": token, "reason": "ok", "confirm": "true"},
    )
    assert ticked.status_code == 303
    assert (await state(web, approval))[0].decision == Decision.pending
    confirmed = await client.post(
        f"/approvals/{approval.id}/approve",
        data={"csrf_token": token, "reason": "ok", "typed_name": "Purge stale contacts"},
    )
    assert confirmed.status_code == 303
    _, workflow = await state(web, approval)
    assert workflow.status == WorkflowStatus.active
    await client.aclose()


async def test_a_lone_owner_confirms_their_own_class_b_explicitly(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, B_SPEC, by_member=True)
    token = await page_csrf(client, "/approvals")
    await client.post(f"/approvals/{approval.id}/approve", data={"csrf_token": token})
    page = (await client.get("/approvals")).text
    assert "confirm that you checked what it sends outside" in page
    assert (await state(web, approval))[0].decision == Decision.pending
    data = {"csrf_token": token, "confirm": "true"}
    await client.post(f"/approvals/{approval.id}/approve", data=data)
    assert (await state(web, approval))[0].decision == Decision.approved
    await client.aclose()


async def test_decisions_without_the_csrf_token_are_refused(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, A_SPEC, by_member=True)
    missing = await client.post(f"/approvals/{approval.id}/approve", data={"reason": "x"})
    wrong = await client.post(
        f"/approvals/{approval.id}/reject", data={"csrf_token": "forged", "reason": "x"}
    )
    assert missing.status_code == 403 and wrong.status_code == 403
    assert (await state(web, approval))[0].decision == Decision.pending
    await client.aclose()


async def test_another_workspaces_request_cannot_be_decided(web: Web) -> None:
    _, owner = await signed_up(web)
    approval = await propose(web, owner, A_SPEC, by_member=True)
    other = await sign_up_client(web, email="mallory@else.example", workspace="Else")
    token = await page_csrf(other, "/approvals")
    assert "Ops digest" not in (await other.get("/approvals")).text
    await other.post(f"/approvals/{approval.id}/approve", data={"csrf_token": token})
    assert "not found" in (await other.get("/approvals")).text
    assert (await state(web, approval))[0].decision == Decision.pending
    await other.aclose()


async def test_approve_in_the_browser_with_a_reason(
    web: Web, page: Page, tmp_path: Path, backend: str
) -> None:
    await sign_up_in_browser(page, web)
    owner = await owner_of(web, "olivia@acme.example")
    approval = await propose(web, owner, A_SPEC, by_member=True)
    await propose(web, owner, B_SPEC, by_member=False)
    await propose(web, owner, C_SPEC, by_member=True)
    await page.goto(f"{web.url}/approvals")
    card = page.locator(f"#approval-{approval.id}")
    await card.get_by_label("Reason").fill("Posting to #ops is fine")
    await card.get_by_role("button", name="Approve").click()
    flash = page.locator(".flash")
    await expect(flash).to_contain_text("Approved “Ops digest” v1: the workflow is active.")
    await expect(page.locator(".history")).to_contain_text("Posting to #ops is fine")
    await expect(page.locator(f"#approval-{approval.id}")).to_have_count(0)
    _, workflow = await state(web, approval)
    assert workflow.status == WorkflowStatus.active
    await screenshot(page, "approvals", tmp_path, full_page=True)
    await page.set_viewport_size({"width": 375, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375


async def test_a_script_gets_json_answers(web: Web) -> None:
    client, owner = await signed_up(web)
    approval = await propose(web, owner, C_SPEC, by_member=False)
    headers = {"X-CSRF-Token": await page_csrf(client, "/approvals"), "X-Requested-With": "fetch"}
    refused = await client.post(f"/approvals/{approval.id}/approve", headers=headers)
    assert refused.status_code == 403
    assert "type “Purge stale contacts”" in refused.json()["error"]["message"]
    approved = await client.post(
        f"/approvals/{approval.id}/approve",
        data={"typed_name": "Purge stale contacts"},
        headers=headers,
    )
    assert approved.status_code == 200
    assert approved.json()["decision"] == "approved"
    assert approved.json()["workflow_status"] == "active"
    await client.aclose()


async def test_with_a_second_admin_the_requester_cannot_approve_their_own_class_c(
    web: Web,
) -> None:
    from tests.web.test_team import join, send_invite

    client, owner = await signed_up(web)
    admin_client = await join(web, await send_invite(client, web, "ada@acme.example", "admin"))
    approval = await propose(web, owner, C_SPEC, by_member=True)

    # The requester: no name field, a note saying why; typing the name anyway changes nothing.
    mine = section((await client.get("/approvals")).text, "C")
    assert "a second owner or admin must approve it" in mine
    assert f'id="typed-{approval.id}"' not in mine
    token = await page_csrf(client, "/approvals")
    typed = {"csrf_token": token, "typed_name": "Purge stale contacts", "confirm": "true"}
    await client.post(f"/approvals/{approval.id}/approve", data=typed)
    assert "a second owner or admin must approve it" in (await client.get("/approvals")).text
    assert (await state(web, approval))[0].decision == Decision.pending

    # The second admin types the name: a tick is not enough, a wrong name is refused.
    theirs = section((await admin_client.get("/approvals")).text, "C")
    assert f'id="typed-{approval.id}"' in theirs and "type its name to approve it" in theirs
    token = await page_csrf(admin_client, "/approvals")
    url = f"/approvals/{approval.id}/approve"
    await admin_client.post(url, data={"csrf_token": token, "confirm": "true"})
    await admin_client.post(url, data={"csrf_token": token, "typed_name": "Purge contacts"})
    page = (await admin_client.get("/approvals")).text
    assert "does not match" in page
    assert (await state(web, approval))[0].decision == Decision.pending
    await admin_client.post(url, data={"csrf_token": token, "typed_name": "purge stale contacts"})
    decided, workflow = await state(web, approval)
    assert decided.decision == Decision.approved and workflow.status == WorkflowStatus.active
    assert decided.decided_by != owner.id
    await client.aclose()
    await admin_client.aclose()
