"""The CRM's and the send ledger's writes of runs executed together go on the group writer:
each is committed before its action goes on, none is lost or doubled (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import CrmContact, OutboxMessage, Run, RunStatus, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import activate
from workflows.runs import start_run
from workflows.runtime import Runtime

RUNS = 20
SPEC = {
    "name": "Leads together",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "contact", "action": "crm.upsert_contact",
         "inputs": {"email": "{{ trigger.email }}", "source": "form",
                    "fields": {"score": "{{ trigger.score }}"}}},
        {"id": "hot", "action": "crm.update_contact", "when": "trigger.score > 10",
         "inputs": {"email": "{{ trigger.email }}", "fields": {"hot": True},
                    "note": "hot lead"}},
        {"id": "notify", "action": "slack.post_message",
         "inputs": {"channel": "#leads", "text": "Lead {{ trigger.email }}"}},
    ],
}  # fmt: skip


async def test_action_writes_of_runs_together_share_commits_and_are_written_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = default_registry()
    runtime = Runtime(settings, registry)
    assert runtime.writer is not None
    workflow = await activate(sessions, workspace, SPEC, registry)
    # Every run but the last writes a contact of its own; the last two share one (a repeat).
    emails = [f"lead{n}@example.com" for n in range(RUNS - 1)] + ["lead0@example.com"]

    async def deliver(n: int) -> str:
        async with runtime.sessions() as session:
            started = await start_run(Tenant(session, workspace.id), workflow,
                                      trigger_type="manual",
                                      payload={"email": emails[n], "score": 20 + n})  # fmt: skip
        runtime.submit(started.run.id)
        return started.run.id

    try:
        run_ids = await asyncio.gather(*(deliver(n) for n in range(RUNS)))
        await runtime.drain()
        transactions, writes = runtime.writer.transactions, runtime.writer.writes
    finally:
        await runtime.close()

    # Per run: its creation, the claim, the run's end with the last step's outcome (engine: 3)
    # and the upsert, the update and the parked message's ledger row (actions: 3); the first two
    # steps' outcomes go in the transactions of the update's and the ledger's writes.
    assert writes == RUNS * 6
    assert transactions < writes
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all()
        contacts = (await session.exec(select(CrmContact))).all()
        parked = (await session.exec(select(OutboxMessage))).all()
    assert {r.status for r in runs} == {RunStatus.succeeded}, [r.error for r in runs]
    assert sorted(c.email for c in contacts) == sorted(set(emails))
    repeated = next(c for c in contacts if c.email == "lead0@example.com")
    notes = repeated.fields["notes"]
    assert len(notes) == 2 and {n["key"] for n in notes} == {f"{run_ids[0]}:hot",
                                                              f"{run_ids[-1]}:hot"}  # fmt: skip
    assert all(c.fields["hot"] is True for c in contacts)
    assert sorted(str(m.idempotency_key) for m in parked) == sorted(f"{r}:notify" for r in run_ids)
    assert {m.status for m in parked} == {"pending"}
