"""Settings, API keys and members: the web page and the REST API against the real app."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from storage.models import AuditLog, Member, Role, Workspace
from tests.web.conftest import Web, csrf_of, page_csrf, sign_up_client
from tests.web.test_health_page import api_key, workspace_of

EMAIL = "olivia@acme.example"


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for an API key."""
    return {"Authorization": f"Bearer {key}"}


async def owner_key(web: Web) -> str:
    """Sign up a workspace and return an API key of its owner."""
    client = await sign_up_client(web, email=EMAIL)
    await client.aclose()
    return await api_key(web, await workspace_of(web, EMAIL))


async def test_the_settings_form_saves_timezone_channel_and_approval_rules(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    page = await client.get("/settings")
    assert page.status_code == 200
    assert 'value="UTC"' in page.text and "Who approves what" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "name": "Acme Operations",
        "timezone": "Europe/Paris",
        "alert_channel": "ops-alerts",
        "approval_reminder_hours": "12",
        "approval_escalate_hours": "36",
        "approval_expire_hours": "",
        "failure_email": "on",
        "allow_self_approval": "on",
    }
    saved = await client.post("/settings", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == "/settings"
    shown = await client.get("/settings")
    assert "Saved the workspace&#39;s settings." in shown.text
    assert 'value="Europe/Paris"' in shown.text and 'value="#ops-alerts"' in shown.text

    key = await api_key(web, await workspace_of(web, EMAIL))
    answer = await client.get("/api/workspace", headers=bearer(key))
    assert answer.json() == {
        "name": "Acme Operations",
        "timezone": "Europe/Paris",
        "allow_self_approval": True,
        "failure_email": True,
        "alert_channel": "#ops-alerts",
        "approval_reminder_hours": 12,
        "approval_escalate_hours": 36,
        "approval_expire_hours": None,
    }
    await client.aclose()


async def test_a_bad_timezone_is_refused_in_words_and_keeps_what_was_typed(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    token = await page_csrf(client, "/settings")
    form = {
        "csrf_token": token,
        "name": "Renamed",
        "timezone": "Mars/Olympus",
        "alert_channel": "#ops",
        "approval_reminder_hours": "0",
        "approval_escalate_hours": "24",
        "approval_expire_hours": "",
        "failure_email": "on",
    }
    refused = await client.post("/settings", data=form)
    assert refused.status_code == 422
    assert "Nothing was saved" in refused.text
    assert "is not a timezone we know: use a name like Europe/London" in refused.text
    assert "Remind after: a reminder or escalation time is a number of hours" in refused.text
    assert 'value="Mars/Olympus"' in refused.text and 'value="Renamed"' in refused.text
    assert "Traceback" not in refused.text and "value_error" not in refused.text
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, await workspace_of(web, EMAIL))
        assert workspace is not None
        assert workspace.timezone == "UTC" and workspace.name == "Acme Ops"
    await client.aclose()


async def test_patch_workspace_changes_only_what_is_sent_and_checks_roles(web: Web) -> None:
    key = await owner_key(web)
    async with httpx.AsyncClient(base_url=web.url, headers=bearer(key)) as api:
        changed = await api.patch(
            "/api/workspace", json={"timezone": "America/New_York", "approval_expire_hours": 72}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["timezone"] == "America/New_York"
        assert changed.json()["approval_expire_hours"] == 72
        assert changed.json()["name"] == "Acme Ops"  # untouched
        cleared = await api.patch("/api/workspace", json={"approval_expire_hours": None})
        assert cleared.json()["approval_expire_hours"] is None

        bad = await api.patch("/api/workspace", json={"timezone": "Nowhere/At_All"})
        assert bad.status_code == 422
        assert "is not a timezone we know" in bad.json()["error"]["message"]
        unknown = await api.patch("/api/workspace", json={"colour": "red"})
        assert unknown.status_code == 422

        made = await api.post("/api/keys", json={"name": "Reporting", "role": "operator"})
        operator_key = made.json()["key"]
    async with httpx.AsyncClient(base_url=web.url, headers=bearer(operator_key)) as operator:
        denied = await operator.patch("/api/workspace", json={"name": "Mine now"})
        assert denied.status_code == 403
        assert denied.json()["error"]["message"] == (
            "Only an owner or admin can change the workspace's settings."
        )
        assert (await operator.get("/api/workspace")).json()["name"] == "Acme Ops"
    async with web.runtime.sessions() as session:
        actions = (await session.exec(select(AuditLog.action))).all()
        assert actions.count("settings.changed") == 2


async def test_api_keys_are_created_listed_with_last_use_and_revoked(web: Web) -> None:
    key = await owner_key(web)
    async with httpx.AsyncClient(base_url=web.url, headers=bearer(key)) as api:
        made = await api.post("/api/keys", json={"name": "Zapier", "role": "admin"})
        assert made.status_code == 201
        created = made.json()
        assert created["key"].startswith("lq_") and created["role"] == "admin"
        assert created["last_used_at"] is None

        listed = {k["name"]: k for k in (await api.get("/api/keys")).json()}
        assert "key" not in listed["Zapier"] and listed["Zapier"]["last_used_at"] is None

        async with httpx.AsyncClient(base_url=web.url, headers=bearer(created["key"])) as zap:
            assert (await zap.get("/api/workflows")).status_code == 200
        listed = {k["name"]: k for k in (await api.get("/api/keys")).json()}
        assert listed["Zapier"]["last_used_at"] is not None

        gone = await api.delete(f"/api/keys/{created['id']}")
        assert gone.status_code == 204
        async with httpx.AsyncClient(base_url=web.url, headers=bearer(created["key"])) as zap:
            assert (await zap.get("/api/workflows")).status_code == 401
        listed = {k["name"]: k for k in (await api.get("/api/keys")).json()}
        assert listed["Zapier"]["revoked_at"] is not None

        nameless = await api.post("/api/keys", json={"name": "  ", "role": "viewer"})
        assert nameless.status_code == 403 and "Name the key" in nameless.json()["error"]["message"]
        missing = await api.delete("/api/keys/nope")
        assert missing.status_code == 404


async def test_rotating_a_key_is_class_c_the_owner_types_its_name(web: Web) -> None:
    key = await owner_key(web)
    async with httpx.AsyncClient(base_url=web.url, headers=bearer(key)) as api:
        made = (await api.post("/api/keys", json={"name": "Nightly sync", "role": "admin"})).json()
        wrong = await api.post(f"/api/keys/{made['id']}/rotate", json={"confirm_name": "nightly"})
        assert wrong.status_code == 403
        assert "type the key's name exactly: “Nightly sync”" in wrong.json()["error"]["message"]

        async with httpx.AsyncClient(base_url=web.url, headers=bearer(made["key"])) as admin:
            by_admin = await admin.post(
                f"/api/keys/{made['id']}/rotate", json={"confirm_name": "Nightly sync"}
            )
            assert by_admin.status_code == 403 and "only an owner" in by_admin.text

        rotated = await api.post(
            f"/api/keys/{made['id']}/rotate", json={"confirm_name": "nightly  SYNC"}
        )
        assert rotated.status_code == 201
        fresh = rotated.json()
        assert fresh["name"] == "Nightly sync" and fresh["role"] == "admin"
        assert fresh["key"] != made["key"]
    async with httpx.AsyncClient(base_url=web.url) as anyone:
        old = await anyone.get("/api/workflows", headers=bearer(made["key"]))
        new = await anyone.get("/api/workflows", headers=bearer(fresh["key"]))
        assert old.status_code == 401 and new.status_code == 200


async def test_the_settings_page_creates_a_key_shown_once_and_revokes_it(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    token = await page_csrf(client, "/settings")
    made = await client.post(
        "/settings/keys", data={"csrf_token": token, "name": "Sheets export", "role": "viewer"}
    )
    assert made.status_code == 200
    found = re.search(r'id="new-key" type="text" value="(lq_[^"]+)"', made.text)
    assert found and "it is never shown again" in made.text
    again = await client.get("/settings")
    assert "Sheets export" in again.text and found.group(1) not in again.text
    key_id = re.search(r'data-key="([^"]+)"', again.text)
    assert key_id
    revoked = await client.post(
        f"/settings/keys/{key_id.group(1)}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    after = await client.get("/settings")
    assert "Revoked the key “Sheets export”: it no longer works." in after.text
    async with httpx.AsyncClient(base_url=web.url) as anyone:
        answer = await anyone.get("/api/workflows", headers=bearer(found.group(1)))
        assert answer.status_code == 401
    await client.aclose()


async def test_members_change_role_and_are_removed_but_the_last_owner_stays(web: Web) -> None:
    key = await owner_key(web)
    workspace_id = await workspace_of(web, EMAIL)
    async with web.runtime.sessions() as session:
        me = (await session.exec(select(Member).where(Member.email == EMAIL))).one()
        sam = Member(workspace_id=workspace_id, name="Sam", role=Role.operator, email="s@x.io")
        session.add(sam)
        await session.commit()
    async with httpx.AsyncClient(base_url=web.url, headers=bearer(key)) as api:
        promoted = await api.patch(f"/api/members/{sam.id}", json={"role": "owner"})
        assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
        demoted = await api.patch(f"/api/members/{sam.id}", json={"role": "admin"})
        assert demoted.json()["role"] == "admin"

        alone = await api.patch(f"/api/members/{me.id}", json={"role": "admin"})
        assert alone.status_code == 409
        assert "only owner: make someone else an owner first" in alone.json()["error"]["message"]
        not_removed = await api.delete(f"/api/members/{me.id}")
        assert not_removed.status_code == 409

        bad_role = await api.patch(f"/api/members/{sam.id}", json={"role": "king"})
        assert bad_role.status_code == 403 and "Choose a role" in bad_role.text

        removed = await api.delete(f"/api/members/{sam.id}")
        assert removed.status_code == 204
        names = [m["name"] for m in (await api.get("/api/members")).json()]
        assert "Sam" not in names and "Olivia" in names


async def test_every_page_links_to_help_and_settings_lead_to_the_workspace_pages(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    for path in ("/", "/workflows", "/billing"):
        header = (await client.get(path)).text.split("</header>")[0]
        assert re.search(r'<a class="help" href="/help"[^>]*>Help</a>', header), path
    assert 'aria-current="page">Help</a>' in (await client.get("/help")).text
    settings = (await client.get("/settings")).text
    linked = re.findall(r'<li><a href="(/[a-z]+)">', settings.split('id="more-title"')[1])
    assert linked == ["/workspace", "/audit", "/growth", "/help"]
    for path in linked:
        assert (await client.get(path)).status_code == 200, path
    await client.aclose()
