"""Two-way CRM ↔ HubSpot sync end to end: template, approval, webhook-triggered passes, Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from integrations.credentials import store_credential
from storage.config import Settings
from storage.models import CrmContact, Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.hubspot_api import FakeHubSpot
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401


@pytest.fixture
async def hubspot() -> AsyncIterator[FakeHubSpot]:
    async with FakeHubSpot.running(token="pat-workspace") as fake:
        yield fake


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    hubspot: FakeHubSpot,
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        HUBSPOT_API_BASE=hubspot.url,  # the token is the workspace's stored credential
    )  # fmt: skip


async def sync_pass(app: Live, hook: str) -> dict[str, Any]:
    """Call the webhook (as a HubSpot workflow or a scheduler would); the finished run."""
    accepted = await app.as_().post(hook, json={})
    assert accepted.status_code == 202, accepted.text
    run = await app.wait_for_run(accepted.json()["run_id"])
    assert run["status"] == "succeeded", run
    return dict(next(s for s in run["steps"] if s["step_id"] == "sync")["output"])


async def ours(app: Live) -> dict[str, CrmContact]:
    async with app.runtime.sessions() as session:
        return {c.email: c for c in (await session.exec(select(CrmContact))).all()}


async def test_sync_both_ways_only_changes_newest_wins_no_ping_pong(
    live: Live,  # noqa: F811
    hubspot: FakeHubSpot,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    async with live.runtime.sessions() as session:
        await store_credential(
            session, live.workspace.id, "hubspot", "token", "pat-workspace",
            settings=live.runtime.settings,
        )  # fmt: skip
        for n in range(3):
            session.add(CrmContact(workspace_id=live.workspace.id, email=f"ours{n}@example.com",
                                   name=f"Our {n}", stage="customer"))  # fmt: skip
        await session.commit()
    for n in range(2):
        hubspot.add_contact(email=f"theirs{n}@example.com", firstname="Their", lastname=str(n),
                            lifecyclestage="lead")  # fmt: skip
    created = await live.as_(Role.admin).post(
        "/api/workflows", json={"template_id": "crm-two-way-sync", "params": {"channel": "#crm"}}
    )
    assert created.json()["approval"]["class"] == "B"
    decided = await live.as_(Role.owner).post(
        f"/api/approvals/{created.json()['approval']['id']}/approve"
    )
    hook = "/" + decided.json()["webhook_url"].split("/", 3)[3]

    first = await sync_pass(live, hook)
    assert (first["pushed"], first["pulled"], first["conflicts"]) == (3, 2, [])
    assert {c["properties"]["email"] for c in hubspot.contacts.values()} == {
        "ours0@example.com", "ours1@example.com", "ours2@example.com",
        "theirs0@example.com", "theirs1@example.com",
    }  # fmt: skip
    assert (await ours(live))["theirs1@example.com"].name == "Their 1"

    writes = len(hubspot.writes())
    before = {e: (c.updated_at, c.fields) for e, c in (await ours(live)).items()}
    second = await sync_pass(live, hook)
    assert (second["pushed"], second["pulled"], second["unchanged"]) == (0, 0, 5)
    assert len(hubspot.writes()) == writes
    assert {e: (c.updated_at, c.fields) for e, c in (await ours(live)).items()} == before

    # One edit on each side, and one contact edited on both: HubSpot's edit is the newer one.
    hubspot.edit("theirs0@example.com", phone="+1 555 0100")
    base = datetime.now(UTC) + timedelta(seconds=5)
    async with live.runtime.sessions() as session:
        rows = (await session.exec(select(CrmContact))).all()
        for row in rows:
            if row.email in ("ours0@example.com", "ours1@example.com"):
                row.company, row.updated_at = "Ours Ltd", base
                session.add(row)
        await session.commit()
    hubspot.edit("ours1@example.com", at=base + timedelta(seconds=1), company="Theirs Inc")
    third = await sync_pass(live, hook)
    assert sorted((c["email"], c["direction"]) for c in third["changes"]) == [
        ("ours0@example.com", "to_hubspot"),
        ("ours1@example.com", "to_crm"),
        ("theirs0@example.com", "to_crm"),
    ]
    assert [(c["email"], c["winner"]) for c in third["conflicts"]] == [
        ("ours1@example.com", "hubspot")
    ]
    contacts = await ours(live)
    assert contacts["ours1@example.com"].company == "Theirs Inc"
    assert contacts["theirs0@example.com"].phone == "+1 555 0100"
    assert hubspot.by_email("ours0@example.com")["properties"]["company"] == "Ours Ltd"  # type: ignore[index]
    posts = fake_slack.calls("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["#crm"]
    assert "ours1@example.com: kept the HubSpot version" in posts[0].args["text"]

    writes = len(hubspot.writes())
    fourth = await sync_pass(live, hook)
    assert (fourth["pushed"], fourth["pulled"], fourth["changes"]) == (0, 0, [])
    assert len(hubspot.writes()) == writes and len(fake_slack.calls("chat.postMessage")) == 1
