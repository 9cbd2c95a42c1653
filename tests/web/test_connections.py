"""The Connections page: Google Sheets over OAuth 2 (consent, refresh, revoked) against a local
fake, a workspace's own mail server with its sender verified by a mailed link, and the page in
Chromium."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from accounts.keys import create_key
from integrations.base import ActionContext, ActionOutput
from integrations.catalog import default_registry
from integrations.connections import MissingConnection
from storage.config import Settings
from storage.models import Credential, Member, Role, Workspace
from tests.conftest import make_settings
from tests.fakes.google_oauth import FakeGoogle
from tests.fakes.sheets_api import FakeSheets
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser

SHEET = "1AbCdEfGh"


@pytest.fixture
async def sheets() -> AsyncIterator[FakeSheets]:
    async with FakeSheets.running(token="nobody-yet") as api:
        api.sheets[(SHEET, "Leads")] = [["email", "name"], ["ann@example.com", "Ann"]]
        yield api


@pytest.fixture
async def google(sheets: FakeSheets) -> AsyncIterator[FakeGoogle]:
    async with FakeGoogle.running(sheets=sheets) as fake:
        yield fake


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as (inbox, port):
        yield inbox, port


@pytest.fixture
def settings(tmp_path: Path, database_url: str, google: FakeGoogle, sheets: FakeSheets) -> Settings:
    return make_settings(
        tmp_path, database_url, GOOGLE_SHEETS_API_BASE=sheets.url, **google.settings()
    )


def _flash(response: httpx.Response) -> str:
    cookie = response.headers.get("set-cookie", "")
    found = re.search(r"levqor_flash=([^;]+)", cookie)
    return unquote(found.group(1)).split(":", 1)[1] if found else ""


async def _workspace_id(web: Web) -> str:
    async with web.runtime.sessions() as session:
        return (await session.exec(select(Workspace).where(Workspace.slug != "default"))).one().id


async def _read_rows(web: Web, workspace_id: str) -> ActionOutput:
    ctx = ActionContext(
        web.settings, web.runtime.sessions, web.runtime.http, workspace_id, "wf", "run", "read",
        "run:read",
    )  # fmt: skip
    action = default_registry().get("sheets.read_rows")
    out: ActionOutput = await action.run(ctx, {"spreadsheet": SHEET, "sheet": "Leads"})
    return out


async def test_google_sheets_consent_then_refresh_then_revoked(
    web: Web, google: FakeGoogle, sheets: FakeSheets
) -> None:
    client = await sign_up_client(web)
    start = await client.get("/connections/google/start")
    assert start.status_code == 303
    consent_url = start.headers["location"]
    assert consent_url.startswith(google.url + "/authorize?")
    async with httpx.AsyncClient() as browser_elsewhere:  # Google's page, then back to Levqor
        back = await browser_elsewhere.get(consent_url)
    assert back.status_code == 302
    params = google.authorize_params[-1]
    assert params["access_type"] == "offline" and "spreadsheets" in params["scope"]
    callback = "/" + back.headers["location"].split("/", 3)[3]  # the address given to Google
    assert callback.startswith("/connections/google/callback?code=")
    done = await client.get(callback)
    assert done.status_code == 303 and _flash(done) == "Connected Google Sheets."
    assert [g["grant_type"] for g in google.grants] == ["authorization_code"]

    workspace_id = await _workspace_id(web)
    async with web.runtime.sessions() as session:
        sealed = [r.ciphertext for r in (await session.exec(select(Credential))).all()]
    assert len(sealed) == 2 and not any(sheets.token in c for c in sealed)

    out = await _read_rows(web, workspace_id)  # the fresh token works, no refresh needed
    assert out.model_dump()["rows"] == [{"email": "ann@example.com", "name": "Ann"}]
    assert len(google.grants) == 1

    google.lifetime = 30  # shorter than the minute of margin: every use now renews first
    csrf = await page_csrf(client, "/connections")
    tested = await client.post("/connections/google/test", data={"csrf_token": csrf})
    assert _flash(tested).startswith("Google renewed access to your sheets")
    old_token = sheets.token
    await _read_rows(web, workspace_id)
    assert [g["grant_type"] for g in google.grants][-2:] == ["refresh_token", "refresh_token"]
    assert sheets.token != old_token  # the fake only accepts the newest token: it was used

    google.revoke_all()
    with pytest.raises(MissingConnection) as missing:
        await _read_rows(web, workspace_id)
    assert str(missing.value).startswith(
        "Google no longer accepts this workspace's access (it was revoked or expired); "
        "connect Google Sheets again. Add the Google Sheets connection on the Connections page"
    )
    page = await client.get("/connections")
    assert "Needs attention" in page.text

    forged = await client.get("/connections/google/callback?code=x&state=someone.1.abc")
    assert _flash(forged).startswith("That Google sign-in link is not valid")


async def test_the_api_hands_out_the_google_consent_address(web: Web, google: FakeGoogle) -> None:
    await sign_up_client(web)
    async with web.runtime.sessions() as session:
        workspace = (await session.exec(select(Workspace).where(Workspace.slug != "default"))).one()
        key, _ = await create_key(session, workspace, Role.owner)
        await session.commit()
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        answer = await api.put("/api/connections/google", json={})
    assert answer.status_code == 202
    assert answer.json()["authorize_url"].startswith(google.url + "/authorize?client_id=")
    assert "signed in to Levqor" in answer.json()["message"]


async def test_own_mail_server_is_used_once_its_sender_is_verified(
    web: Web, mail: tuple[Inbox, int]
) -> None:
    inbox, port = mail
    client = await sign_up_client(web)
    csrf = await page_csrf(client, "/connections")
    form = {
        "csrf_token": csrf, "mode": "smtp", "host": "127.0.0.1", "port": str(port),
        "security": "none", "username": "", "password": "", "sender": "ops@acme.example",
    }  # fmt: skip
    bad = await client.post("/connections/email", data=form | {"sender": "not an address"})
    assert _flash(bad) == "Please check the sender address: give an email address like " + (
        "ops@example.com."
    )
    saved = await client.post("/connections/email", data=form)
    assert _flash(saved).startswith("Saved Email sending. Send a test")
    page = (await client.get("/connections")).text
    assert "Waiting for the sender to be verified" in page

    tested = await client.post("/connections/email/test", data={"csrf_token": csrf})
    assert _flash(tested).endswith("Open the link in it to verify the sender.")
    sent = inbox.messages[-1]
    assert sent["To"] == "ops@acme.example" and "ops@acme.example" in sent["From"]
    link = re.search(r"(http://\S+/connections/email/verify\?\S+)", sent.get_content())
    assert link is not None
    verify_path = "/" + link.group(1).split("/", 3)[3]

    wrong = await web.client().get(verify_path[:-4] + "0000")
    assert wrong.status_code == 400 and "not valid any more" in wrong.text
    opened = await web.client().get(verify_path)  # from the mailbox: no sign-in needed
    assert opened.status_code == 303
    assert _flash(opened) == "Verified ops@acme.example: Levqor now sends your email from it."
    assert "Sends as ops@acme.example through 127.0.0.1" in (await client.get("/connections")).text

    ctx = ActionContext(
        web.settings, web.runtime.sessions, web.runtime.http, await _workspace_id(web), "wf",
        "run", "mail", "run:mail",
    )  # fmt: skip
    action = default_registry().get("email.send")
    out = await action.run(ctx, {"to": "dana@example.com", "subject": "Hi", "text": "Hello"})
    assert out.model_dump()["delivered"] == "email"
    assert inbox.envelopes[-1].mail_from == "ops@acme.example"
    assert inbox.envelopes[-1].rcpt_tos == ["dana@example.com"]

    gone = await client.post("/connections/email/disconnect", data={"csrf_token": csrf})
    assert _flash(gone) == "Disconnected Email sending; its saved secrets are deleted."
    assert "No mail server yet" in (await client.get("/connections")).text


async def test_the_connections_page_in_a_browser(
    page: Page, web: Web, tmp_path: Path, mail: tuple[Inbox, int]
) -> None:
    await sign_up_in_browser(page, web)
    await page.get_by_role("link", name="Connections", exact=True).click()
    await expect(page.get_by_role("heading", name="Connections", level=1)).to_be_visible()
    stripe = page.locator("[data-connection=stripe]")
    await expect(stripe.locator("[data-status]")).to_have_text("Not connected")
    await stripe.get_by_label("Webhook signing secret").fill("whsec_browser_secret_1")
    await stripe.get_by_label("Restricted key").fill("nonsense")
    await stripe.get_by_role("button", name="Save Stripe").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Please check the Stripe key: it starts with rk_live_, rk_test_, sk_live_ or sk_test_."
    )
    await stripe.get_by_label("Restricted key").fill("rk_test_browser_9876")
    await stripe.get_by_label("Webhook signing secret").fill("whsec_browser_secret_1")
    await stripe.get_by_role("button", name="Save Stripe").click()
    await expect(page.locator(".flash")).to_have_text("Saved Stripe.")
    await expect(stripe.locator("[data-status]")).to_have_text("Connected")
    await expect(stripe).to_contain_text("Uses the key ending 9876")
    assert "rk_test_browser_9876" not in await page.content()

    http = page.locator("[data-connection=http]")
    await http.get_by_label("Secret name").fill("crm_api")
    await http.get_by_label("Secret", exact=True).fill("very-secret-value")
    await http.get_by_role("button", name="Save HTTP secrets").click()
    await expect(http).to_contain_text("crm_api (sent as Authorization)")
    await http.get_by_role("button", name="Send a test for HTTP secrets").click()
    await expect(page.locator(".flash")).to_have_text(
        "The saved secret can be used by steps: crm_api."
    )
    assert "very-secret-value" not in await page.content()
    await page.set_viewport_size({"width": 1280, "height": 1500})  # the header stays on top
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "connections", tmp_path)

    await http.get_by_role("button", name="Disconnect HTTP secrets").click()
    await expect(page.locator(".flash")).to_have_text(
        "Disconnected HTTP secrets; its saved secrets are deleted."
    )
    await expect(http.locator("[data-status]")).to_have_text("Not connected")


async def test_a_member_who_may_not_manage_connections_cannot_finish_a_google_consent(
    web: Web, google: FakeGoogle
) -> None:
    client = await sign_up_client(web)
    start = await client.get("/connections/google/start")
    async with httpx.AsyncClient() as browser_elsewhere:
        back = await browser_elsewhere.get(start.headers["location"])
    callback = "/" + back.headers["location"].split("/", 3)[3]
    async with web.runtime.sessions() as session:  # the owner is made an operator meanwhile
        member = (await session.exec(select(Member))).one()
        member.role = Role.operator
        session.add(member)
        await session.commit()
    refused = await client.get(callback)
    assert refused.status_code == 303
    assert _flash(refused) == "Only an owner or admin can change connections."
    assert google.grants == []
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(Credential))).all() == []
