"""The built-in CRM actions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, Risk
from integrations.crm import ACTIONS
from storage.config import Settings
from storage.models import CrmContact, Workspace
from storage.types import utcnow

UPSERT, FIND, UPDATE, DELETE = ACTIONS


def _ctx(settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace,
         key: str = "run1:crm", dry_run: bool = False) -> ActionContext:  # fmt: skip
    return ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=ws.id,
        workflow_id="wf1", run_id="run1", step_id="crm", idempotency_key=key, dry_run=dry_run,
    )  # fmt: skip


def test_risks() -> None:
    assert [a.risk for a in ACTIONS] == [Risk.external, Risk.read, Risk.external, Risk.critical]


async def test_upsert_dedupes_by_email_and_merges(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    first = await UPSERT.run(ctx, {"email": " Ann@Example.org ", "name": "Ann", "source": "form",
                                   "fields": {"plan": "pro"}})  # fmt: skip
    second = await UPSERT.run(ctx, {"email": "ann@example.org", "company": "Acme",
                                    "fields": {"size": 10}})  # fmt: skip
    assert first.created and not second.created and first.contact_id == second.contact_id
    found = await FIND.run(ctx, {"query": "ANN"})
    assert found.count == 1
    ann = found.contacts[0]
    assert (ann["email"], ann["name"], ann["company"], ann["source"]) == (
        "ann@example.org", "Ann", "Acme", "form")  # fmt: skip
    assert ann["fields"] == {"plan": "pro", "size": 10}
    with pytest.raises(ValidationError):
        await UPSERT.run(ctx, {"email": "not an email"})


async def test_find_filters(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    async with sessions() as session:
        old = utcnow() - timedelta(days=30)
        session.add(CrmContact(workspace_id=workspace.id, email="old@x.org", stage="customer",
                               created_at=old, updated_at=old))  # fmt: skip
        session.add(CrmContact(workspace_id=workspace.id, email="new@x.org", source="ads"))
        other = Workspace(slug="other", name="Other")
        session.add(other)
        await session.flush()
        session.add(CrmContact(workspace_id=other.id, email="new@x.org", source="ads"))
        await session.commit()
    assert (await FIND.run(ctx, {"created_within": "7 days"})).count == 1
    assert (await FIND.run(ctx, {"stage": "customer"})).contacts[0]["email"] == "old@x.org"
    assert (await FIND.run(ctx, {"source": "ads"})).count == 1  # not the other workspace's
    assert (await FIND.run(ctx, {"limit": 1})).count == 1
    quiet = await FIND.run(ctx, {"inactive_for": "2 weeks"})  # "leads idle for 2 weeks"
    assert [c["email"] for c in quiet.contacts] == ["old@x.org"]
    assert (await FIND.run(ctx, {"inactive_for": "45 days"})).count == 0
    with pytest.raises(ValidationError):
        await FIND.run(ctx, {"inactive_for": "a while"})


async def test_update_adds_a_note_once_under_retry(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    await UPSERT.run(ctx, {"email": "bo@x.org"})
    inputs = {"email": "BO@x.org", "stage": "customer", "note": "paid invoice"}
    first = await UPDATE.run(ctx, inputs)
    retried = await UPDATE.run(ctx, inputs)
    assert first.updated and not retried.updated
    bo = (await FIND.run(ctx, {"query": "bo@"})).contacts[0]
    assert bo["stage"] == "customer"
    assert [n["text"] for n in bo["fields"]["notes"]] == ["paid invoice"]
    missing = await UPDATE.run(ctx, {"email": "nobody@x.org", "stage": "lost"})
    assert missing.contact_id is None and not missing.updated


async def test_delete_inactive_contacts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    async with sessions() as session:
        old = utcnow() - timedelta(days=400)
        for email, stage in (("a@x.org", "lead"), ("b@x.org", "customer")):
            session.add(CrmContact(workspace_id=workspace.id, email=email, stage=stage,
                                   created_at=old, updated_at=old))  # fmt: skip
        session.add(CrmContact(workspace_id=workspace.id, email="fresh@x.org"))
        await session.commit()
    dry = await DELETE.run(_ctx(settings, sessions, workspace, dry_run=True),
                           {"inactive_for": "365 days"})  # fmt: skip
    assert dry.deleted == 2
    ctx = _ctx(settings, sessions, workspace)
    assert (await DELETE.run(ctx, {"inactive_for": "365 days", "stage": "lead"})).deleted == 1
    left = await FIND.run(ctx, {})
    assert sorted(c["email"] for c in left.contacts) == ["b@x.org", "fresh@x.org"]
    # no age given: every contact (of the stage), fresh ones too
    assert (await DELETE.run(ctx, {"stage": "customer"})).deleted == 1
    assert (await DELETE.run(ctx, {})).deleted == 1
    assert (await FIND.run(ctx, {})).contacts == []
