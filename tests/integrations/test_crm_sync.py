"""crm.sync_hubspot against the HubSpot fake: change detection, the conflict rule, no ping-pong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.catalog import default_registry
from integrations.crm_sync import SyncOutput, pick_winner
from storage.config import Settings
from storage.models import CrmContact, Workspace
from tests.fakes.hubspot_api import FakeHubSpot

SYNC = default_registry().get("crm.sync_hubspot")
GET = default_registry().get("crm.get_contact")


@pytest.fixture
async def hubspot() -> AsyncIterator[FakeHubSpot]:
    async with FakeHubSpot.running(token="pat-sync") as fake:
        yield fake


@pytest.fixture
def ctx(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> ActionContext:
    configured = settings.model_copy(
        update={"hubspot_api_base": hubspot.url, "hubspot_token": "pat-sync"}
    )
    return ActionContext(
        settings=configured, sessions=sessions, http=httpx.AsyncClient(),
        workspace_id=workspace.id, workflow_id="wf", run_id="run", step_id="sync",
        idempotency_key="run:sync",
    )  # fmt: skip


async def contacts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, CrmContact]:
    async with sessions() as session:
        return {c.email: c for c in (await session.exec(select(CrmContact))).all()}


async def add_ours(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, email: str, **values: Any
) -> None:
    async with sessions() as session:
        session.add(CrmContact(workspace_id=workspace.id, email=email, **values))
        await session.commit()


async def edit_ours(
    sessions: async_sessionmaker[AsyncSession], email: str, at: datetime, **values: Any
) -> None:
    async with sessions() as session:
        row = (await session.exec(select(CrmContact).where(CrmContact.email == email))).one()
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = at
        session.add(row)
        await session.commit()


async def sync(ctx: ActionContext) -> SyncOutput:
    out: SyncOutput = await SYNC.run(ctx, {})
    return out


async def test_first_pass_merges_both_sides_then_a_second_pass_writes_nothing(
    ctx: ActionContext,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    await add_ours(sessions, workspace, "ann@example.com", name="Ann Lee", stage="customer")
    await add_ours(sessions, workspace, "same@example.com", name="Sam Same", company="S&Co")
    hubspot.add_contact(email="bob@example.com", firstname="Bob", lifecyclestage="lead")
    hubspot.add_contact(
        email="same@example.com", firstname="Sam", lastname="Same", company="S&Co",
        lifecyclestage="lead",
    )  # fmt: skip

    first = await sync(ctx)
    assert (first.pushed, first.pulled, first.created_in_hubspot, first.created_in_crm) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert first.conflicts == [] and first.unchanged == 1  # `same` already agreed
    ann = hubspot.by_email("ann@example.com")
    assert ann is not None and ann["properties"]["lifecyclestage"] == "customer"
    ours = await contacts(sessions)
    assert ours["bob@example.com"].name == "Bob" and ours["bob@example.com"].source == "hubspot"
    assert set(ours["same@example.com"].fields["hubspot"]) == {"id", "hash", "synced_at"}

    writes, stamps = len(hubspot.writes()), {e: c.updated_at for e, c in ours.items()}
    second = await sync(ctx)
    assert (second.pushed, second.pulled, second.conflicts) == (0, 0, [])
    assert second.unchanged == 3 and second.since is not None
    assert len(hubspot.writes()) == writes  # nothing written to HubSpot
    after = await contacts(sessions)
    assert {e: c.updated_at for e, c in after.items()} == stamps  # nor to our CRM
    assert {e: c.fields for e, c in after.items()} == {e: c.fields for e, c in ours.items()}


async def test_only_changed_records_move(
    ctx: ActionContext,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    for n in range(4):
        await add_ours(sessions, workspace, f"c{n}@example.com", name=f"C {n}")
    await sync(ctx)
    baseline = len(hubspot.writes())

    hubspot.edit("c1@example.com", company="Changed In HubSpot")
    await edit_ours(sessions, "c2@example.com", datetime.now(UTC), phone="+44 1")
    out = await sync(ctx)
    assert out.changes == [
        {"email": "c1@example.com", "direction": "to_crm"},
        {"email": "c2@example.com", "direction": "to_hubspot"},
    ]
    assert len(hubspot.writes()) == baseline + 1
    assert hubspot.writes()[-1].path.endswith("/" + hubspot.by_email("c2@example.com")["id"])  # type: ignore[index]
    assert (await contacts(sessions))["c1@example.com"].company == "Changed In HubSpot"
    assert (await sync(ctx)).changes == []
    assert len(hubspot.writes()) == baseline + 1


@pytest.mark.parametrize(
    ("hubspot_later_by", "winner"),
    [(timedelta(seconds=30), "hubspot"), (timedelta(seconds=-30), "crm"), (timedelta(0), "crm")],
)
async def test_conflicts_go_to_the_newest_edit_and_ties_to_our_crm(
    ctx: ActionContext,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
    hubspot_later_by: timedelta,
    winner: str,
) -> None:
    await add_ours(sessions, workspace, "dee@example.com", name="Dee", company="Original")
    await sync(ctx)
    ours_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    await edit_ours(sessions, "dee@example.com", ours_at, company="Ours")
    hubspot.edit("dee@example.com", at=ours_at + hubspot_later_by, company="Theirs")

    out = await sync(ctx)
    assert [(c["email"], c["winner"]) for c in out.conflicts] == [("dee@example.com", winner)]
    expected = "Theirs" if winner == "hubspot" else "Ours"
    assert (await contacts(sessions))["dee@example.com"].company == expected
    assert hubspot.by_email("dee@example.com")["properties"]["company"] == expected  # type: ignore[index]
    writes = len(hubspot.writes())
    again = await sync(ctx)
    assert (again.pushed, again.pulled, again.conflicts) == (0, 0, [])
    assert len(hubspot.writes()) == writes


async def test_dry_run_plans_without_writing(
    ctx: ActionContext,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    await add_ours(sessions, workspace, "eve@example.com")
    ctx.dry_run = True
    out = await sync(ctx)
    assert out.changes == [{"email": "eve@example.com", "direction": "planned"}]
    assert (
        hubspot.writes() == []
        and "hubspot" not in (await contacts(sessions))["eve@example.com"].fields
    )


async def test_get_contact_reads_milestones(
    ctx: ActionContext, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    milestones = {"created_first_workflow": "2024-06-01T00:00:00+00:00"}
    await add_ours(sessions, workspace, "fay@example.com", fields={"milestones": milestones})
    found = await GET.run(ctx, {"email": " Fay@Example.com "})
    assert found.found and found.milestones == ["created_first_workflow"]
    assert not found.unsubscribed and found.contact["email"] == "fay@example.com"
    missing = await GET.run(ctx, {"email": "nobody@example.com"})
    assert (missing.found, missing.milestones, missing.contact) == (False, [], None)


def test_tie_goes_to_our_crm() -> None:
    at = datetime(2024, 6, 1, tzinfo=UTC)
    assert pick_winner(at, at) == "crm"
    assert pick_winner(at, at + timedelta(milliseconds=1)) == "hubspot"
    assert pick_winner(at + timedelta(milliseconds=1), at) == "crm"
