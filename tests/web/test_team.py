"""The Team page and invite links, over HTTP against the real app and in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, OutboxMessage, Role, WebInvite, WebLogin
from storage.scope import Tenant
from storage.types import utcnow
from tests.web.conftest import (
    PASSWORD,
    Web,
    csrf_of,
    page_csrf,
    screenshot,
    sign_up_client,
    sign_up_in_browser,
)
from workflows import service

Sessions = async_sessionmaker[AsyncSession]
SPEC = {
    "name": "Ops digest",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
    ],
}


async def member_by_email(sessions: Sessions, email: str) -> Member:
    """The member behind a web login."""
    async with sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
        member = await session.get(Member, login.member_id)
    assert member is not None
    return member


async def send_invite(client: httpx.AsyncClient, web: Web, email: str, role: str) -> str:
    """Invite through the Team page's form; the link shown once on the answer."""
    token = await page_csrf(client, "/team")
    response = await client.post(
        "/team/invites", data={"csrf_token": token, "email": email, "role": role}
    )
    assert response.status_code == 200, response.text
    found = re.search(r'id="invite-link" type="text" value="([^"]+)"', response.text)
    assert found, "the invite link is not on the page"
    link = found.group(1)
    assert link.startswith(f"{web.settings.public_url}/invite/")
    return link


async def join(web: Web, link: str, name: str = "Nina New") -> httpx.AsyncClient:
    """A second browser (no cookies) opens the link and accepts with a name and password."""
    client = web.client()
    path = link.removeprefix(web.settings.public_url)
    form = await client.get(path)
    assert form.status_code == 200, form.text
    response = await client.post(
        path, data={"csrf_token": csrf_of(form.text), "name": name, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/workflows"
    return client


async def test_owner_invites_and_the_invitee_joins_that_workspace_with_the_role(
    web: Web, sessions: Sessions
) -> None:
    owner_client = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    owner = await member_by_email(sessions, "olivia@acme.example")
    async with sessions() as session:
        tenant = Tenant(session, owner.workspace_id)
        parsed = service.parse_spec(SPEC, web.runtime.registry)
        await service.create_workflow(tenant, parsed, web.runtime.registry, owner)
        await session.commit()
    link = await send_invite(owner_client, web, "Nina@Acme.example", "admin")
    team = (await owner_client.get("/team")).text
    assert "nina@acme.example" in team and "Revoke" in team
    assert link not in team  # shown once, on the answer to the form only

    form = (await web.client().get(link.removeprefix(web.settings.public_url))).text
    assert 'value="nina@acme.example" readonly' in form and "Join Acme Ops" in form
    nina_client = await join(web, link)
    workflows = await nina_client.get("/workflows")
    assert workflows.status_code == 200
    assert "Ops digest" in workflows.text and "Welcome to Acme Ops." in workflows.text
    nina = await member_by_email(sessions, "nina@acme.example")
    assert (nina.workspace_id, nina.role, nina.name) == (owner.workspace_id, Role.admin, "Nina New")

    nina_team = (await nina_client.get("/team")).text
    assert "Olivia" in nina_team and "Nina New" in nina_team and "No invites waiting." in nina_team
    assert 'action="/team/invites"' in nina_team  # an admin may invite
    async with sessions() as session:
        mail = (await session.exec(select(OutboxMessage))).one()
    assert mail.target == "nina@acme.example" and link not in mail.body
    again = await web.client().get(link.removeprefix(web.settings.public_url))
    assert again.status_code == 410 and "already been used" in again.text
    await owner_client.aclose()
    await nina_client.aclose()


async def test_an_operator_sees_the_team_but_cannot_invite(web: Web, sessions: Sessions) -> None:
    owner_client = await sign_up_client(web)
    link = await send_invite(owner_client, web, "oscar@acme.example", "operator")
    pending_link = await send_invite(owner_client, web, "vera@acme.example", "viewer")
    oscar_client = await join(web, link, "Oscar")
    page = await oscar_client.get("/team")
    assert page.status_code == 200
    assert "Olivia" in page.text and "Oscar" in page.text and "vera@acme.example" in page.text
    assert 'action="/team/invites"' not in page.text and "Revoke" not in page.text
    assert "Only an owner or admin can invite people." in page.text
    token = csrf_of(page.text)
    refused = await oscar_client.post(
        "/team/invites", data={"csrf_token": token, "email": "eve@evil.example", "role": "admin"}
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/team"
    after = (await oscar_client.get("/team")).text
    assert 'class="alert error flash"' in after and "Only an owner or admin" in after
    async with sessions() as session:
        invite = (
            await session.exec(select(WebInvite).where(WebInvite.email == "vera@acme.example"))
        ).one()
        emails = {i.email for i in (await session.exec(select(WebInvite))).all()}
    assert "eve@evil.example" not in emails
    revoke = await oscar_client.post(
        f"/team/invites/{invite.id}/revoke", data={"csrf_token": token}
    )
    assert revoke.status_code == 303
    still = await web.client().get(pending_link.removeprefix(web.settings.public_url))
    assert still.status_code == 200  # the operator could not withdraw it
    await owner_client.aclose()
    await oscar_client.aclose()


async def test_expired_revoked_and_unknown_links_show_a_clear_page(
    web: Web, sessions: Sessions
) -> None:
    client = await sign_up_client(web)
    link = await send_invite(client, web, "late@acme.example", "viewer")
    path = link.removeprefix(web.settings.public_url)
    async with sessions() as session:
        invite = (await session.exec(select(WebInvite))).one()
        invite.expires_at = utcnow() - timedelta(minutes=1)
        await session.commit()
    visitor = web.client()
    html = {"accept": "text/html"}
    expired = await visitor.get(path, headers=html)
    assert expired.status_code == 410 and "This invite has expired." in expired.text
    signin = await visitor.get("/signin")  # a valid pre-sign-in CSRF token and cookie
    posted = await visitor.post(
        path, data={"csrf_token": csrf_of(signin.text), "name": "Late", "password": PASSWORD}
    )
    assert posted.status_code == 410
    unknown = await visitor.get("/invite/not-a-real-token", headers=html)
    assert unknown.status_code == 404 and "This invite link is not valid." in unknown.text

    revoked_link = await send_invite(client, web, "gone@acme.example", "viewer")
    token = await page_csrf(client, "/team")
    async with sessions() as session:
        query = select(WebInvite).where(WebInvite.email == "gone@acme.example")
        gone = (await session.exec(query)).one()
    withdrawn = await client.post(f"/team/invites/{gone.id}/revoke", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    assert "Withdrew the invite for gone@acme.example." in (await client.get("/team")).text
    revoked = await visitor.get(revoked_link.removeprefix(web.settings.public_url))
    assert revoked.status_code == 410 and "withdrawn" in revoked.text
    await client.aclose()
    await visitor.aclose()


async def test_invites_and_accepts_without_the_csrf_token_are_refused(
    web: Web, sessions: Sessions
) -> None:
    client = await sign_up_client(web)
    missing = await client.post("/team/invites", data={"email": "x@acme.example", "role": "admin"})
    forged = await client.post(
        "/team/invites", data={"csrf_token": "forged", "email": "x@acme.example", "role": "admin"}
    )
    assert missing.status_code == 403 and forged.status_code == 403
    link = await send_invite(client, web, "nina@acme.example", "admin")
    visitor = web.client()
    path = link.removeprefix(web.settings.public_url)
    await visitor.get(path)  # holds the pre-sign-in CSRF cookie, but sends no token
    no_token = await visitor.post(path, data={"name": "Nina", "password": PASSWORD})
    assert no_token.status_code == 403
    async with sessions() as session:
        invites = (await session.exec(select(WebInvite))).all()
    assert [(i.email, i.accepted_at) for i in invites] == [("nina@acme.example", None)]
    await client.aclose()
    await visitor.aclose()


async def test_an_email_with_a_login_elsewhere_gets_a_clear_refusal(web: Web) -> None:
    owner_client = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    other = await sign_up_client(web, email="nina@acme.example", workspace="Nina Consulting")
    link = await send_invite(owner_client, web, "nina@acme.example", "operator")
    path = link.removeprefix(web.settings.public_url)
    form = await other.get(path)
    assert "already has a Levqor login" in form.text and 'name="name"' not in form.text
    wrong = await other.post(
        path, data={"csrf_token": csrf_of(form.text), "password": "not the password"}
    )
    assert wrong.status_code == 422 and "does not match" in wrong.text
    refused = await other.post(path, data={"csrf_token": csrf_of(form.text), "password": PASSWORD})
    assert refused.status_code == 409
    assert "Nina Consulting" in refused.text and "one workspace only" in refused.text
    assert (await other.get(path)).status_code == 200  # still pending: the inviter can revoke it
    await owner_client.aclose()
    await other.aclose()


async def test_owner_invites_from_the_team_page_in_a_browser(
    page: Page, web: Web, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    await expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    await page.get_by_label("Email").fill("nina@acme.example")
    await page.get_by_label("Role").select_option("admin")
    await page.get_by_role("button", name="Create invite").click()
    await expect(page.get_by_text("Invited nina@acme.example as admin.")).to_be_visible()
    link = page.get_by_label("Their invite link")
    await expect(link).to_have_value(re.compile(rf"^{re.escape(web.settings.public_url)}/invite/"))
    await expect(
        page.get_by_role("button", name="Revoke the invite for nina@acme.example")
    ).to_be_visible()
    await screenshot(page, "team", tmp_path, full_page=True)
