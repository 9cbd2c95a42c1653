"""The retention purge: plan retention per workspace, an injected clock, batches, resume, audit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from accounts.export import archive_path
from accounts.purge import Purger, pseudonym
from accounts.retention import retention_days
from agents.checkpoint import open_checkpointer
from integrations.charts import chart_path
from storage.config import Settings
from storage.models import (
    AuditLog,
    ExportJob,
    OutboxMessage,
    Role,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    Workspace,
)
from storage.types import utcnow
from tests.accounts.seed import Sessions, count_rows, seed_runs
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member

PURGED = (Run, StepRun, RunEvent, OutboxMessage)


async def _other(sessions: Sessions, slug: str) -> Workspace:
    async with sessions() as session:
        ws = Workspace(slug=slug, name=slug.title())
        session.add(ws)
        await session.commit()
    return ws


async def _counts(sessions: Sessions, ws: Workspace) -> list[int]:
    return [await count_rows(sessions, model, ws.id) for model in PURGED]


async def test_no_plan_data_kept_29_days_and_gone_at_31(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    seeded = await seed_runs(settings, sessions, workspace, runs=3, messages=2)
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        await assistant.send(thread, "show me reporting templates")
    now = utcnow()
    async with open_checkpointer(settings) as checkpointer:
        purger = Purger(settings, sessions, checkpointer=checkpointer, batch_size=2)
        dry = await purger.purge(now=now + timedelta(days=31), dry_run=True)
        assert dry[0].counts.runs == 3 and dry[0].counts.conversations == 1
        assert await _counts(sessions, workspace) == [3, 6, 9, 2]  # a dry run deletes nothing

        await purger.purge(now=now + timedelta(days=29))
        assert await _counts(sessions, workspace) == [3, 6, 9, 2]
        assert all(chart_path(settings, c).is_file() for c in seeded.chart_ids)  # type: ignore[union-attr]
        assert await checkpointer.aget_tuple({"configurable": {"thread_id": thread}}) is not None

        [result] = await purger.purge(now=now + timedelta(days=31), actor="cli:olivia")
        assert result.retention_days == 30
        assert await _counts(sessions, workspace) == [0, 0, 0, 0]
        assert not any(chart_path(settings, c).is_file() for c in seeded.chart_ids)  # type: ignore[union-attr]
        assert await checkpointer.aget_tuple({"configurable": {"thread_id": thread}}) is None
        counts = result.counts
        assert (counts.runs, counts.steps, counts.events, counts.messages) == (3, 6, 9, 2)
        assert (counts.charts, counts.conversations) == (3, 1)

        again = await purger.purge(now=now + timedelta(days=32))
        assert again[0].counts.total == 0  # idempotent: nothing left, nothing audited twice
    async with sessions() as session:
        audits = (
            await session.exec(select(AuditLog).where(AuditLog.action == "data.purged"))
        ).all()
    assert len(audits) == 1
    assert audits[0].actor == pseudonym(settings, "cli:olivia")
    assert "olivia" not in (audits[0].actor or "")
    assert audits[0].detail["runs"] == 3


async def test_each_workspace_keeps_data_as_long_as_its_plan_says(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    growth = await _other(sessions, "growing")
    await seed_runs(settings, sessions, workspace, runs=2)
    await seed_runs(settings, sessions, growth, runs=2)

    def plan_retention(ws: Workspace) -> int:
        return retention_days(SimpleNamespace(plan="Growth") if ws.slug == "growing" else ws)

    purger = Purger(settings, sessions, retention=plan_retention)
    results = await purger.purge(now=utcnow() + timedelta(days=45))
    assert {r.slug: r.retention_days for r in results} == {"acme": 30, "growing": 90}
    assert await _counts(sessions, workspace) == [0, 0, 0, 0]
    assert await _counts(sessions, growth) == [2, 4, 6, 2]
    await purger.purge(now=utcnow() + timedelta(days=91))
    assert await _counts(sessions, growth) == [0, 0, 0, 0]


async def test_unfinished_runs_are_never_purged(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    await seed_runs(settings, sessions, workspace, runs=2, status=RunStatus.waiting, messages=0)
    await Purger(settings, sessions).purge(now=utcnow() + timedelta(days=400))
    assert await count_rows(sessions, Run, workspace.id) == 2


class Killed(Exception):
    """The purge's process dying in the middle of a batch."""


async def test_a_purge_stopped_halfway_resumes_and_finishes(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    await seed_runs(settings, sessions, workspace, runs=5, messages=3)
    batches = 0

    async def die_on_third_batch(_kind: str) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Killed

    later = utcnow() + timedelta(days=31)
    halfway = Purger(settings, sessions, batch_size=2, on_batch=die_on_third_batch)
    with pytest.raises(Killed):
        await halfway.purge(now=later)
    # Two whole batches of runs went; the third rolled back; the messages were not reached.
    assert await _counts(sessions, workspace) == [1, 2, 3, 3]
    [result] = await Purger(settings, sessions, batch_size=2).purge(now=later)
    assert (result.counts.runs, result.counts.messages) == (1, 3)
    assert await _counts(sessions, workspace) == [0, 0, 0, 0]


async def test_expired_export_archives_are_purged(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    async with sessions() as session:
        job = ExportJob(workspace_id=workspace.id, status="done", expires_at=utcnow())
        session.add(job)
        await session.commit()
    path = archive_path(settings, job.id)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"zip")
    purger = Purger(settings, sessions)
    await purger.purge(now=utcnow() - timedelta(minutes=1))  # the link still works
    assert path.is_file() and await count_rows(sessions, ExportJob, workspace.id) == 1
    await purger.purge(now=utcnow() + timedelta(minutes=1))
    assert not path.exists() and await count_rows(sessions, ExportJob, workspace.id) == 0
