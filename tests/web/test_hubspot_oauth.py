"""HubSpot connected by OAuth where the instance has a HubSpot app: the consent round trip over
real HTTP against a local fake HubSpot (authorize page, token endpoint, contacts API), actions
using the access token, renewal when it expires, a revoked refresh, and bad or spent states."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest
from sqlmodel import select

from accounts.keys import create_key
from integrations import hubspot_oauth
from integrations.base import ActionContext, ActionOutput
from integrations.catalog import default_registry
from integrations.connections import MissingConnection
from storage.config import Settings
from storage.models import Connection, Credential, Role, Run, RunStatus, Workspace
from storage.types import utcnow
from tests.conftest import make_settings
from tests.fakes.hubspot_api import FakeHubSpot
from tests.web.conftest import Web, page_csrf, sign_up_client
from tests.web.test_health_page import new_workflow, run_now

LIST_SPEC = {
    "name": "Read HubSpot leads",
    "trigger": {"type": "manual"},
    "steps": [{"id": "leads", "action": "hubspot.list_contacts", "inputs": {}}],
}


@pytest.fixture
async def hubspot() -> AsyncIterator[FakeHubSpot]:
    async with FakeHubSpot.running(token="nobody-yet") as fake:
        fake.add_contact(email="ann@example.com", firstname="Ann")
        yield fake


@pytest.fixture
def settings(tmp_path: Path, database_url: str, hubspot: FakeHubSpot) -> Settings:
    return make_settings(tmp_path, database_url, **hubspot.oauth_settings())


def _flash(response: httpx.Response) -> str:
    cookie = response.headers.get("set-cookie", "")
    found = re.search(r"levqor_flash=([^;]+)", cookie)
    return unquote(found.group(1)).split(":", 1)[1] if found else ""


async def _workspace_id(web: Web) -> str:
    async with web.runtime.sessions() as session:
        return (await session.exec(select(Workspace).where(Workspace.slug != "default"))).one().id


async def _list_contacts(web: Web, workspace_id: str) -> list[str]:
    ctx = ActionContext(
        web.settings, web.runtime.sessions, web.runtime.http, workspace_id, "wf", "run", "read",
        "run:read",
    )  # fmt: skip
    action = default_registry().get("hubspot.list_contacts")
    out: ActionOutput = await action.run(ctx, {})
    return [c["email"] for c in out.model_dump()["contacts"]]


async def _expire_access(web: Web, workspace_id: str) -> None:
    """As if the half hour an access token lives had passed."""
    async with web.runtime.sessions() as session:
        row = (
            await session.exec(
                select(Connection).where(
                    Connection.workspace_id == workspace_id, Connection.integration == "hubspot"
                )
            )
        ).one()
        row.config = {**row.config, "expires_at": (utcnow() - timedelta(minutes=1)).isoformat()}
        session.add(row)
        await session.commit()


async def test_connect_with_hubspot_then_refresh_then_revoked(
    web: Web, hubspot: FakeHubSpot
) -> None:
    client = await sign_up_client(web)
    page = await client.get("/connections")
    assert "Connect with HubSpot" in page.text and "Private-app token" in page.text

    start = await client.get("/connections/hubspot/start")
    assert start.status_code == 303
    consent_url = start.headers["location"]
    assert consent_url.startswith(hubspot.url + "/oauth/authorize?")
    async with httpx.AsyncClient() as browser_elsewhere:  # HubSpot's page, then back to Levqor
        back = await browser_elsewhere.get(consent_url)
    assert back.status_code == 302
    scopes = hubspot.authorize_params[-1]["scope"].split()
    assert {"crm.objects.contacts.write", "crm.objects.deals.read"} <= set(scopes)
    callback = "/" + back.headers["location"].split("/", 3)[3]  # the address given to HubSpot
    assert callback.startswith("/connections/hubspot/callback?code=")
    done = await client.get(callback)
    assert done.status_code == 303 and _flash(done) == "Connected HubSpot."
    assert [g["grant_type"] for g in hubspot.grants] == ["authorization_code"]

    replayed = await client.get(callback)  # the same state again: refused before HubSpot is asked
    assert _flash(replayed) == "That HubSpot sign-in link was already used; start connecting again."
    assert len(hubspot.grants) == 1

    workspace_id = await _workspace_id(web)
    async with web.runtime.sessions() as session:
        sealed = [r.ciphertext for r in (await session.exec(select(Credential))).all()]
    assert len(sealed) == 2 and not any(hubspot.token in c for c in sealed)
    page = await client.get("/connections")
    assert "Connected by signing in with HubSpot" in page.text

    # The access token works as issued: the fake accepts only the newest token it handed out.
    assert await _list_contacts(web, workspace_id) == ["ann@example.com"]
    assert len(hubspot.grants) == 1

    await _expire_access(web, workspace_id)
    first_token = hubspot.token
    assert await _list_contacts(web, workspace_id) == ["ann@example.com"]
    assert [g["grant_type"] for g in hubspot.grants] == ["authorization_code", "refresh_token"]
    assert hubspot.token != first_token
    await _list_contacts(web, workspace_id)  # the renewed token was saved: no second refresh
    assert len(hubspot.grants) == 2

    csrf = await page_csrf(client, "/connections")
    tested = await client.post("/connections/hubspot/test", data={"csrf_token": csrf})
    assert _flash(tested).startswith("HubSpot accepted the token")

    hubspot.revoke_all()
    await _expire_access(web, workspace_id)
    with pytest.raises(MissingConnection) as missing:
        await _list_contacts(web, workspace_id)
    assert str(missing.value).startswith(
        "HubSpot no longer accepts this workspace's access (it was revoked or expired); "
        "connect HubSpot again. Add the HubSpot connection on the Connections page "
        f"({web.settings.public_url.rstrip('/')}/connections#hubspot)"
    )
    page = await client.get("/connections")
    assert "Needs attention" in page.text

    # A real run of a workflow with a HubSpot step fails with that sentence, and the bell says so.
    workflow = await new_workflow(web, workspace_id, LIST_SPEC)
    run = await run_now(web, workflow)
    await web.runtime.drain()
    async with web.runtime.sessions() as session:
        finished = await session.get(Run, run.id)
        assert finished is not None and finished.status == RunStatus.failed
        assert "connect HubSpot again" in (finished.error or "")
        assert "/connections#hubspot" in (finished.error or "")
    notices = await client.get("/notifications")
    assert "“Read HubSpot leads” cannot reach HubSpot" in notices.text
    assert "connect HubSpot again" in notices.text
    assert 'href="/connections">Fix the connection' in notices.text

    # The private-app token form is still there: saving one replaces the HubSpot sign-in.
    csrf = await page_csrf(client, "/connections")
    saved = await client.post(
        "/connections/hubspot", data={"csrf_token": csrf, "token": "pat-na1-private-0042"}
    )
    assert _flash(saved) == "Saved HubSpot."
    hubspot.token = "pat-na1-private-0042"
    assert await _list_contacts(web, workspace_id) == ["ann@example.com"]
    async with web.runtime.sessions() as session:
        names = [r.name for r in (await session.exec(select(Credential))).all()]
    assert names == ["token"]  # the OAuth tokens were deleted
    page = await client.get("/connections")
    assert "Uses the private-app token ending 0042" in page.text


async def test_forged_expired_and_foreign_states_are_refused(
    web: Web, hubspot: FakeHubSpot
) -> None:
    client = await sign_up_client(web)
    workspace_id = await _workspace_id(web)

    async def callback(state: str) -> str:
        answer = await client.get(f"/connections/hubspot/callback?code=x&state={quote(state)}")
        return _flash(answer)

    assert await callback("someone.1.abc.def") == (
        "That HubSpot sign-in link is not valid; start connecting again."
    )
    old = hubspot_oauth.make_state(web.settings, workspace_id, now=time.time() - 3600)
    assert await callback(old) == "That HubSpot sign-in link has expired; start connecting again."
    foreign = hubspot_oauth.make_state(web.settings, "another-workspace")
    assert await callback(foreign) == (
        "That HubSpot sign-in was started from another workspace; start connecting again here."
    )
    bad_code = hubspot_oauth.make_state(web.settings, workspace_id)
    assert await callback(bad_code) == (
        "HubSpot did not accept that sign-in; start connecting again."
    )
    denied = await client.get("/connections/hubspot/callback?error=access_denied")
    assert _flash(denied) == "HubSpot was not connected: access was not allowed."
    assert [g["grant_type"] for g in hubspot.grants] == ["authorization_code"]  # only bad_code
    page = await client.get("/connections")
    assert "Connected by signing in with HubSpot" not in page.text


async def test_the_api_hands_out_the_hubspot_consent_address(
    web: Web, hubspot: FakeHubSpot
) -> None:
    await sign_up_client(web)
    async with web.runtime.sessions() as session:
        workspace = (await session.exec(select(Workspace).where(Workspace.slug != "default"))).one()
        key, _ = await create_key(session, workspace, Role.owner)
        await session.commit()
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        answer = await api.put("/api/connections/hubspot", json={})
        assert answer.status_code == 202
        assert answer.json()["authorize_url"].startswith(hubspot.url + "/oauth/authorize?")
        token = await api.put("/api/connections/hubspot", json={"token": "pat-na1-0000-0001"})
        assert token.status_code == 200  # the private-app token is still taken
        assert token.json()["summary"] == "Uses the private-app token ending 0001"
