"""Deleting a client workspace and exporting all its data are the client owner's decisions: an
agency member working in the client (web switcher cookie, API `Levqor-Workspace` header) is
refused with a plain sentence (the API: 403 `agency_cannot_delete_client` /
`agency_cannot_export_client`), nothing is requested or built; the agency can still unlink the
client from its Clients page, and the client's own owner can still export."""

from __future__ import annotations

from html import unescape

import httpx
from sqlmodel import select

from accounts import agencies
from accounts.workspaces import add_member
from storage.models import ExportJob, Member, Role, Workspace
from tests.bot.api.test_billing_limits import on_plan
from tests.web.conftest import Web, page_csrf, sign_up_client
from tests.web.test_health_page import api_key, workspace_of

DELETE_WORDS = "Only Lee Bakery's own owner can delete Lee Bakery"
EXPORT_WORDS = "Only Lee Bakery's own owner can export all of Lee Bakery's data"


async def agency_and_client(web: Web) -> tuple[httpx.AsyncClient, Workspace, Workspace]:
    """A signed-up agency on the Agency plan with a client, Lee Bakery, that has its own owner."""
    browser = await sign_up_client(web, workspace="Northwind Agency")
    sessions = web.runtime.sessions
    async with sessions() as session:
        agency = await session.get(Workspace, await workspace_of(web, "olivia@acme.example"))
        assert agency is not None
    await on_plan(sessions, agency, "agency")
    async with sessions() as session:
        home = await session.get(Workspace, agency.id)
        assert home is not None
        owner = (await session.exec(select(Member).where(Member.workspace_id == home.id))).one()
        client = await agencies.create_client(session, home, owner, "Lee Bakery")
        lee = await add_member(session, client, "Lee Owner", Role.owner)
        lee.email = "lee@bakery.example"
        await session.commit()
    await on_plan(sessions, client, "growth")  # the client holds its own plan (exports included)
    return browser, agency, client


async def state(web: Web, workspace_id: str) -> tuple[Workspace, list[ExportJob]]:
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        jobs = (await session.exec(select(ExportJob))).all()
        return workspace, list(jobs)


async def test_agency_staff_in_a_client_cannot_delete_or_export_it_on_the_web(web: Web) -> None:
    browser, agency, client = await agency_and_client(web)
    token = await page_csrf(browser)
    switched = await browser.post(
        "/workspace/switch", data={"csrf_token": token, "slug": "lee-bakery"}
    )
    assert switched.status_code == 303
    page = unescape((await browser.get("/workspace")).text)
    assert DELETE_WORDS in page and "unlink it on your agency's Clients page" in page
    assert "Delete workspace" not in page and "Export all data" not in page

    asked = await browser.post(
        "/workspace/delete", data={"csrf_token": token, "name": "Lee Bakery"}
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/workspace"
    assert DELETE_WORDS in unescape((await browser.get("/workspace")).text)
    exported = await browser.post("/workspace/export", data={"csrf_token": token})
    assert exported.status_code == 303 and exported.headers["location"] == "/workspace"
    assert EXPORT_WORDS in unescape((await browser.get("/workspace")).text)
    lee, jobs = await state(web, client.id)
    home, _ = await state(web, agency.id)
    assert lee.deletion_requested_at is None and lee.deleted_at is None and jobs == []
    assert home.deletion_requested_at is None

    back = await browser.post("/workspace/switch", data={"csrf_token": token, "slug": "agency"})
    assert back.status_code == 303
    unlinked = await browser.post("/clients/lee-bakery/unlink", data={"csrf_token": token})
    assert unlinked.status_code == 303
    assert "Unlinked Lee Bakery" in (await browser.get("/clients")).text
    assert (await state(web, client.id))[0].parent_id is None  # the agency's way out
    await browser.aclose()


async def test_agency_staff_in_a_client_are_refused_with_a_reason_on_the_api(web: Web) -> None:
    browser, agency, client = await agency_and_client(web)
    await browser.aclose()
    key = await api_key(web, agency.id)
    headers = {"Authorization": f"Bearer {key}", "Levqor-Workspace": "lee-bakery"}
    async with httpx.AsyncClient(base_url=web.url, headers=headers) as api:
        assert (await api.get("/api/workflows")).status_code == 200  # acting there works
        deleted = await api.request("DELETE", "/api/workspace", json={"name": "Lee Bakery"})
        assert deleted.status_code == 403
        error = deleted.json()["error"]
        assert error["code"] == "agency_cannot_delete_client"
        assert error["details"]["reason"] == "agency_cannot_delete_client"
        assert DELETE_WORDS in error["message"]
        exported = await api.post("/api/export")
        assert exported.status_code == 403
        error = exported.json()["error"]
        assert error["code"] == "agency_cannot_export_client"
        assert error["details"]["reason"] == "agency_cannot_export_client"
        assert EXPORT_WORDS in error["message"]
    lee, jobs = await state(web, client.id)
    home, _ = await state(web, agency.id)
    assert lee.deletion_requested_at is None and jobs == []
    assert home.deletion_requested_at is None  # nor was the agency's own workspace touched

    own = await api_key(web, client.id)  # the client's own owner decides
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {own}"}
    ) as api:
        started = await api.post("/api/export")
        assert started.status_code == 202, started.text
    assert [j.workspace_id for j in (await state(web, client.id))[1]] == [client.id]
