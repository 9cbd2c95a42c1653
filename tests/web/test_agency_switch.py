"""Agency switching in the web app: the header's workspace menu lists the agency and its clients;
choosing one makes every page act in that client (for this browser session) with the agency
role, shown in a banner; "Back" returns to the agency; once the client is unlinked the next
request lands back in the agency with a sentence. In Chromium, with screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import agencies
from accounts.workspaces import add_member, get_by_slug
from storage.models import AuditLog, Member, Role, Workspace
from tests.bot.api.test_billing_limits import HELLO, on_plan
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser
from tests.web.test_health_page import new_workflow, workspace_of


async def test_agency_member_switches_into_a_client_and_back_in_chromium(
    web: Web, page: Page, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await sign_up_in_browser(page, web, workspace="Northwind Agency")
    await expect(page.locator("form.switcher")).to_have_count(0)  # no clients, no menu
    async with sessions() as session:
        agency = await session.get(Workspace, await workspace_of(web, "olivia@acme.example"))
        assert agency is not None
    await on_plan(sessions, agency, "agency")
    await page.goto(f"{web.url}/clients")
    for name in ("Lee Bakery", "Harbour Dental"):
        await page.get_by_label("Client name").fill(name)
        await page.get_by_role("button", name="Add client").click()
        await expect(page.locator(".flash")).to_contain_text(f"Added {name}")
    async with sessions() as session:
        client = await get_by_slug(session, "lee-bakery")
        assert client is not None
        await add_member(session, client, "Lee Owner", Role.owner)  # the client's own owner
        await session.commit()
    await new_workflow(web, client.id, {**HELLO, "name": "Bakery orders"})
    await page.reload()
    await expect(page.locator("tr[data-client=lee-bakery]")).to_contain_text("1 (1)")
    await screenshot(page, "agency-clients", tmp_path, full_page=True)

    menu = page.get_by_label("Workspace", exact=True)
    await expect(menu.locator("option")).to_have_text(
        ["Northwind Agency", "Harbour Dental", "Lee Bakery"]
    )
    await menu.select_option(label="Lee Bakery")
    await page.get_by_role("button", name="Switch").click()
    await page.wait_for_url(f"{web.url}/")
    banner = page.locator("[data-acting=lee-bakery]")
    await expect(banner).to_contain_text("You are working in Lee Bakery, a client of Northwind")
    await expect(banner).to_contain_text("as Northwind Agency's owner")
    await expect(page.locator("header .workspace")).to_have_text("Lee Bakery")
    await page.goto(f"{web.url}/workflows")
    await expect(page.locator("main")).to_contain_text("Bakery orders")  # the client's pages
    await expect(page.get_by_label("Workspace", exact=True)).to_have_value("lee-bakery")
    await screenshot(page, "agency-switcher", tmp_path)
    await page.get_by_role("button", name="Pause Bakery orders").click()  # audited there
    await expect(page.get_by_role("button", name="Resume Bakery orders")).to_be_visible()
    async with sessions() as session:
        audit = (
            await session.exec(select(AuditLog).where(AuditLog.action == "workflow.paused"))
        ).all()
    assert [(a.workspace_id, a.actor) for a in audit] == [(client.id, "Olivia Owner (owner)")]

    await page.get_by_role("button", name="Back to Northwind Agency").click()
    await expect(page.locator(".flash")).to_contain_text("You are back in Northwind Agency")
    await expect(page.locator("[data-acting]")).to_have_count(0)
    await page.goto(f"{web.url}/workflows")
    await expect(page.locator("main")).not_to_contain_text("Bakery orders")

    await page.goto(f"{web.url}/clients")
    await page.get_by_role("button", name="Work in Lee Bakery").click()
    await expect(page.locator("[data-acting=lee-bakery]")).to_be_visible()
    async with sessions() as session:  # another admin unlinks the client meanwhile
        agency = (
            await session.exec(select(Workspace).where(Workspace.slug == "northwind-agency"))
        ).one()
        owner = (await session.exec(select(Member).where(Member.name == "Olivia Owner"))).one()
        await agencies.unlink(session, agency, owner, "lee-bakery")
        await session.commit()
    await page.goto(f"{web.url}/workflows")
    await page.wait_for_url(f"{web.url}/clients")
    await expect(page.locator(".flash")).to_contain_text(
        "Lee Bakery is no longer a client of Northwind Agency, so you are back in"
    )
    await expect(page.locator("[data-acting]")).to_have_count(0)
    await page.goto(f"{web.url}/workflows")
    await expect(page.locator("main")).not_to_contain_text("Bakery orders")


async def test_a_workspace_not_linked_cannot_be_chosen_or_forged(web: Web) -> None:
    client = await sign_up_client(web, workspace="Northwind Agency")
    stranger = await sign_up_client(web, email="sam@stranger.example", workspace="Stranger Ltd")
    await stranger.aclose()
    token = await page_csrf(client)
    chosen = await client.post(
        "/workspace/switch", data={"csrf_token": token, "slug": "stranger-ltd"}
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/clients"
    assert "levqor_acting" not in chosen.headers.get("set-cookie", "")
    client.cookies.set("levqor_acting", "stranger-ltd")  # a forged cookie gets nothing either
    forged = await client.get("/workflows")
    assert forged.status_code == 303 and forged.headers["location"] == "/clients"
    cookies = forged.headers.get_list("set-cookie")
    assert any(c.startswith("levqor_acting=") and "Max-Age=0" in c for c in cookies)  # forgotten
    client.cookies.delete("levqor_acting")  # as the browser does on that answer
    landed = await client.get("/clients")
    assert "Stranger Ltd is no longer a client of Northwind Agency" in landed.text
    listed = await client.get("/workflows")
    assert listed.status_code == 200 and "Stranger Ltd" not in listed.text
    await client.aclose()
