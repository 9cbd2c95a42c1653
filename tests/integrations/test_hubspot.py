"""hubspot.* actions against the loopback HubSpot fake: search paging, upsert, tokens, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, ActionError, RetryableError
from integrations.catalog import default_registry
from integrations.credentials import store_credential
from storage.config import Settings
from storage.models import Workspace
from tests.fakes.hubspot_api import FakeHubSpot

LIST = default_registry().get("hubspot.list_contacts")
UPSERT = default_registry().get("hubspot.upsert_contact")


@pytest.fixture
async def hubspot() -> AsyncIterator[FakeHubSpot]:
    async with FakeHubSpot.running(token="pat-good") as fake:
        yield fake


async def context(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
    token: str | None = "pat-good",
) -> ActionContext:
    configured = settings.model_copy(
        update={"hubspot_api_base": hubspot.url, "hubspot_token": token}
    )
    return ActionContext(
        settings=configured, sessions=sessions, http=httpx.AsyncClient(),
        workspace_id=workspace.id, workflow_id="wf", run_id="run", step_id="s",
        idempotency_key="run:s",
    )  # fmt: skip


async def test_lists_contacts_changed_since_across_pages(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    hubspot.add_contact(at=old, email="old@example.com", firstname="Old")
    for n in range(150):
        hubspot.add_contact(email=f"new{n}@example.com", firstname="New", lastname=f"N{n}")
    ctx = await context(settings, sessions, workspace, hubspot)

    recent = await LIST.run(ctx, {"changed_since": "1 day"})
    assert recent.count == 150 and "old@example.com" not in {c["email"] for c in recent.contacts}
    assert len([c for c in hubspot.calls if c.path.endswith("/search")]) == 2  # 100 + 50
    everyone = await LIST.run(ctx, {})
    assert everyone.count == 151 and everyone.contacts[0]["email"] == "old@example.com"
    since = (old + timedelta(seconds=1)).isoformat()
    assert (await LIST.run(ctx, {"changed_since": since, "limit": 5})).count == 5
    assert everyone.contacts[1]["name"] == "New N0"


async def test_upsert_creates_then_updates_by_email(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    ctx = await context(settings, sessions, workspace, hubspot)
    made = await UPSERT.run(ctx, {"email": "Ann@Example.com", "name": "Ann  Lee", "stage": "lead"})
    assert made.created and made.id
    row = hubspot.by_email("ann@example.com")
    assert row is not None and row["properties"]["firstname"] == "Ann"
    assert row["properties"]["lastname"] == "Lee" and row["properties"]["lifecyclestage"] == "lead"

    again = await UPSERT.run(ctx, {"email": "ann@example.com", "company": "Acme", "stage": "vip"})
    assert again.id == made.id and not again.created
    props = hubspot.by_email("ann@example.com")["properties"]  # type: ignore[index]
    assert props["company"] == "Acme" and props["firstname"] == "Ann"  # untouched fields stay
    assert props["lifecyclestage"] == "lead"  # "vip" is not a HubSpot lifecycle stage
    assert len(hubspot.contacts) == 1


async def test_stored_token_wins_over_the_setting(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    ctx = await context(settings, sessions, workspace, hubspot, token="pat-wrong")
    with pytest.raises(ActionError, match="refused the token"):
        await LIST.run(ctx, {})
    async with sessions() as session:
        await store_credential(
            session, workspace.id, "hubspot", "token", "pat-good", settings=settings
        )
        await session.commit()
    assert (await LIST.run(ctx, {})).count == 0
    unconfigured = await context(settings, sessions, workspace, hubspot, token=None)
    async with sessions() as session:
        other = Workspace(slug="other", name="Other")
        session.add(other)
        await session.commit()
    unconfigured.workspace_id = other.id
    with pytest.raises(ActionError, match=r"^HubSpot is not connected for this workspace\. Add"):
        await LIST.run(unconfigured, {})


async def test_rate_limits_and_outages_are_retryable(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    hubspot: FakeHubSpot,
) -> None:
    ctx = await context(settings, sessions, workspace, hubspot)
    hubspot.fail_next(429, {"Retry-After": "2"})
    with pytest.raises(RetryableError) as caught:
        await LIST.run(ctx, {})
    assert caught.value.retry_after == 2
    hubspot.fail_next(502)
    with pytest.raises(RetryableError, match="502"):
        await UPSERT.run(ctx, {"email": "a@example.com"})
    with pytest.raises(ValueError, match="not a duration"):
        await LIST.run(ctx, {"changed_since": "whenever"})
