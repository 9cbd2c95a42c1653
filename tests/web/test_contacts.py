"""Contacts: Levqor's own CRM searched, edited, imported from and exported to CSV, through the
served app (forms with CSRF, multipart upload) and the REST API; a browser pass for the page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from playwright.async_api import Page
from sqlmodel import select

from accounts.keys import create_key
from storage.models import CrmContact, Member, Workspace
from tests.web.conftest import PASSWORD, Web, csrf_of, page_csrf, screenshot
from tests.web.test_approvals_page import signed_up

CSV = (
    "Email Address,Full Name,Company,Stage,Plan\n"
    "jane@acme.example,Jane Doe,Acme,customer,Pro\n"
    "BOB@builders.example,Bob Stone,Builders Ltd,lead,\n"
    "not-an-email,Nobody,,,\n"
    'olga@acme.example,Olga,=HYPERLINK("http://evil"),lead,Free\n'
)


SAMPLE = (
    "email,name,company,phone,stage,source\n"
    "jane@acme.example,Jane Doe,Acme,+1 415 555 0100,customer,website\n"
    "bob@builders.example,Bob Stone,Builders Ltd,,lead,trade show\n"
    "amara@northwind.example,Amara Okafor,Northwind,+44 161 555 0199,qualified,referral\n"
    "li@brightside.example,Li Wei,Brightside Dental,,lead,slack\n"
)


async def contacts_of(web: Web, owner: Member) -> dict[str, CrmContact]:
    async with web.runtime.sessions() as session:
        query = select(CrmContact).where(CrmContact.workspace_id == owner.workspace_id)
        return {c.email: c for c in (await session.exec(query)).all()}


async def upload(client: httpx.AsyncClient, data: bytes, name: str = "contacts.csv") -> str:
    """Import a file through the page's form; the page shown after it."""
    token = await page_csrf(client, "/contacts")
    response = await client.post(
        "/contacts/import",
        data={"csrf_token": token},
        files={"file": (name, data, "text/csv")},
    )
    assert response.status_code == 303 and response.headers["location"] == "/contacts"
    return (await client.get("/contacts")).text


async def test_import_search_edit_and_export(web: Web) -> None:
    client, owner = await signed_up(web)
    async with web.runtime.sessions() as session:
        session.add(CrmContact(workspace_id=owner.workspace_id, email="jane@acme.example"))
        await session.commit()

    page = await upload(client, CSV.encode())
    assert (
        "Imported 3 contacts (2 new, 1 updated). 1 row was skipped: line 4: “not-an-email” is "
        "not an email address." in page
    )
    found = await contacts_of(web, owner)
    assert set(found) == {"jane@acme.example", "bob@builders.example", "olga@acme.example"}
    jane = found["jane@acme.example"]
    assert (jane.name, jane.company, jane.stage, jane.fields) == (
        "Jane Doe",
        "Acme",
        "customer",
        {"Plan": "Pro"},
    )
    assert found["bob@builders.example"].source == "import"

    # Search: by company, any case; the API agrees.
    page = (await client.get("/contacts", params={"q": "ACME"})).text
    assert "jane@acme.example" in page and "olga@acme.example" in page
    assert "bob@builders.example" not in page and "2 contacts match." in page
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        key, _ = await create_key(session, workspace, owner.role, member=owner)
        await session.commit()
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        answer = (await api.get("/api/contacts", params={"q": "builders"})).json()
        assert answer["total"] == 1 and answer["contacts"][0]["name"] == "Bob Stone"
        assert (await api.get("/api/contacts", params={"stage": "lead"})).json()["total"] == 2

    # Edit: a bad address shows the form again with what was typed; nothing changes.
    bob = found["bob@builders.example"]
    form = (await client.get(f"/contacts/{bob.id}")).text
    typed = {
        "csrf_token": csrf_of(form),
        "email": "bob at builders",
        "name": "Robert Stone",
        "company": "Builders Ltd",
        "phone": "+44 20 7946 0000",
        "stage": "customer",
        "source": "import",
    }
    bad = await client.post(f"/contacts/{bob.id}", data=typed)
    assert bad.status_code == 400
    assert "Not saved: “bob at builders” is not an email address." in bad.text
    assert 'value="Robert Stone"' in bad.text and 'value="+44 20 7946 0000"' in bad.text
    taken = await client.post(f"/contacts/{bob.id}", data=typed | {"email": "jane@acme.example"})
    assert taken.status_code == 400 and "another contact already has the address" in taken.text
    assert (await contacts_of(web, owner))["bob@builders.example"].name == "Bob Stone"
    saved = await client.post(f"/contacts/{bob.id}", data=typed | {"email": "Rob@Builders.example"})
    assert saved.status_code == 303
    assert "Saved rob@builders.example." in (await client.get(saved.headers["location"])).text
    rob = (await contacts_of(web, owner))["rob@builders.example"]
    assert (rob.name, rob.phone, rob.stage) == ("Robert Stone", "+44 20 7946 0000", "customer")

    # Export: every contact, custom fields as columns, formulas defused.
    export = await client.get("/contacts/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    by_email = {r["email"]: r for r in rows}
    assert set(by_email) == {"jane@acme.example", "rob@builders.example", "olga@acme.example"}
    assert by_email["jane@acme.example"]["Plan"] == "Pro"
    assert by_email["olga@acme.example"]["company"] == '\'=HYPERLINK("http://evil")'
    # The export can be imported again: every row matches a contact by its email.
    again = await upload(client, export.content)
    assert "Imported 3 contacts (0 new, 3 updated)." in again
    await client.aclose()


async def test_a_file_without_an_email_column_imports_nothing(web: Web) -> None:
    client, owner = await signed_up(web)
    page = await upload(client, b"name,company\nJane,Acme\n")
    assert "Nothing was imported: the file has no email column" in page
    assert "Nothing was imported: the file is empty" in await upload(client, b"")
    assert await contacts_of(web, owner) == {}
    await client.aclose()


async def test_a_viewer_key_reads_contacts(web: Web) -> None:
    from accounts.workspaces import add_member
    from storage.models import Role

    client, owner = await signed_up(web)
    async with web.runtime.sessions() as session:
        session.add(CrmContact(workspace_id=owner.workspace_id, email="jane@acme.example"))
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        viewer = await add_member(session, workspace, "Vera", Role.viewer)
        key, _ = await create_key(session, workspace, Role.viewer, member=viewer)
        await session.commit()
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        assert (await api.get("/api/contacts")).json()["total"] == 1
    await client.aclose()


async def test_contacts_page_in_the_browser(web: Web, page: Page, tmp_path: Path) -> None:
    client, _ = await signed_up(web)
    await upload(client, SAMPLE.encode())
    await page.goto(f"{web.url}/signin")
    await page.get_by_label("Email").fill("olivia@acme.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"{web.url}/contacts")
    await page.get_by_role("searchbox", name="Search").fill("builders")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_text("1 contact matches.").wait_for()
    await page.get_by_role("link", name="Edit Bob Stone").click()
    await page.get_by_label("Phone").fill("+44 20 7946 0000")
    await page.get_by_role("button", name="Save").click()
    await page.get_by_text("Saved bob@builders.example.").wait_for()
    await page.goto(f"{web.url}/contacts")
    await screenshot(page, "contacts", tmp_path, full_page=True)
    await client.aclose()
