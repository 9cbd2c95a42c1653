"""Agencies over REST: client workspaces counted against the Agency plan, acting in a client with
`Levqor-Workspace`, the overview, the client's audit naming the agency member, and unlinking."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.workspaces import create_workspace, get_by_slug
from storage.models import AuditLog, Role, Subscription, Workspace
from tests.bot.api.test_billing_limits import HELLO, on_plan
from tests.bot.conftest import Live


async def test_agency_creates_acts_in_audits_and_unlinks_a_client(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await on_plan(sessions, workspace, "growth")
    refused = await live.as_(Role.admin).post("/api/clients", json={"name": "Lee Bakery"})
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "plan_excludes_clients"

    async with sessions() as session:  # the agency upgrades
        (await session.exec(select(Subscription))).one().plan = "agency"
        other = await create_workspace(session, "stranger", "Stranger Ltd")
        await session.commit()
    assert (
        await live.as_(Role.operator).post("/api/clients", json={"name": "Lee Bakery"})
    ).status_code == 403
    made = await live.as_(Role.admin).post("/api/clients", json={"name": "Lee Bakery"})
    assert made.status_code == 201 and made.json()["slug"] == "lee-bakery"

    in_client = {"Levqor-Workspace": "lee-bakery"}
    created = await live.as_(Role.operator).post(
        "/api/workflows", json={"spec": HELLO}, headers=in_client
    )
    assert created.status_code == 201, created.text
    assert (await live.as_().get("/api/workflows")).json() == []
    listed = (await live.as_().get("/api/workflows", headers=in_client)).json()
    assert [w["name"] for w in listed] == ["Hello"]
    stranger = await live.as_().get("/api/workflows", headers={"Levqor-Workspace": other.slug})
    assert stranger.status_code == 403

    overview = (await live.as_().get("/api/clients")).json()
    assert overview == [
        {
            "slug": "lee-bakery",
            "name": "Lee Bakery",
            "workflows": 1,
            "active_workflows": 0,
            "failed_runs_7d": 0,
            "runs_30d": 0,
        }
    ]
    billing = (await live.as_().get("/api/billing")).json()
    assert billing["usage"]["clients"] == 1 and billing["limits"]["clients"] == 25
    assert billing["usage"]["workflows"] == 1  # the client's workflow counts against the agency
    async with sessions() as session:
        client = await get_by_slug(session, "lee-bakery")
        assert client is not None
        audit = (
            await session.exec(select(AuditLog).where(AuditLog.workspace_id == client.id))
        ).all()
    assert ("workflow.created", "Oscar Operator (operator)") in {(a.action, a.actor) for a in audit}
    assert ("client.created", "Adam Admin (admin)") in {(a.action, a.actor) for a in audit}

    unlinked = await live.as_(Role.admin).delete("/api/clients/lee-bakery")
    assert unlinked.status_code == 200
    after = await live.as_().get("/api/workflows", headers=in_client)
    assert after.status_code == 403 and "not a client workspace" in after.json()["error"]["message"]
    assert (await live.as_().get("/api/clients")).json() == []
