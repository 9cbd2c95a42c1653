"""Deleting a workspace stops its runs already queued or waiting (a drip wait): they are cancelled
with the reason in words at once, the engine refuses to start a run of a deleted workspace (the
second check at claim, for a job already on its way), in process (SQLite and PostgreSQL) and
through the PostgreSQL run queue's worker. Restoring the workspace resumes its schedules but does
not bring the cancelled runs back."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import deletion
from integrations.catalog import default_registry
from storage.cancelled_runs import WORKSPACE_DELETED
from storage.config import Settings
from storage.models import RunStatus, Workflow, Workspace
from storage.types import utcnow
from tests.accounts.conftest import HELLO, QueueWorker, execute_in_process, outcome
from tests.workflows.helpers import activate, new_run, owner_of
from workflows.runtime import Runtime

Sessions = async_sessionmaker[AsyncSession]
DRIP: dict[str, Any] = {
    "name": "Drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "pause", "wait": "1 hour"},
        {"id": "later", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "x"}},
    ],
}
MORNING: dict[str, Any] = {
    **HELLO,
    "name": "Morning",
    "trigger": {"type": "schedule", "cron": "0 9 * * *"},
}


async def delete(sessions: Sessions, settings: Settings, workspace: Workspace) -> None:
    """The owner's deletion: the typed name, then the emailed link confirmed."""
    async with sessions() as session:
        found = await session.get(Workspace, workspace.id)
        assert found is not None
        owner = await owner_of(session, found)
        asked = await deletion.request_deletion(session, settings, found, owner, found.name)
        await session.commit()
        await deletion.confirm_deletion(session, settings, asked.link.rsplit("/", 1)[1])
        await session.commit()


async def restore(sessions: Sessions, workspace: Workspace) -> list[Workflow]:
    async with sessions() as session:
        found = await session.get(Workspace, workspace.id)
        assert found is not None
        again = await deletion.restore(session, found, await owner_of(session, found))
        await session.commit()
        return again


async def test_deletion_cancels_queued_and_waiting_runs_and_restore_keeps_them_cancelled(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    registry = default_registry()
    hello = await activate(sessions, workspace, HELLO, registry)
    drip = await activate(sessions, workspace, DRIP, registry)
    morning = await activate(sessions, workspace, MORNING, registry)
    runtime = Runtime(settings)
    try:
        queued = (await new_run(sessions, hello)).run.id
        waiting = (await new_run(sessions, drip)).run.id
        assert (await runtime.engine.execute(waiting)).status == RunStatus.waiting
        finished = (await new_run(sessions, hello)).run.id
        assert (await runtime.engine.execute(finished)).status == RunStatus.succeeded

        await delete(sessions, settings, workspace)
        for run_id, steps in ((queued, 0), (waiting, 1)):  # at once, before any executor looks
            run, count = await outcome(sessions, run_id)
            assert (run.status, run.error, count) == (RunStatus.cancelled, WORKSPACE_DELETED, steps)
            assert run.finished_at is not None
        assert (await outcome(sessions, finished))[0].status == RunStatus.succeeded  # kept as is

        resumed = await restore(sessions, workspace)
        assert {w.id for w in resumed} == {hello.id, drip.id, morning.id}  # schedules resume
        for run_id, steps in ((queued, 0), (waiting, 1)):
            await runtime.engine.execute(run_id)  # a late job, or the wait's due time
            run, count = await outcome(sessions, run_id)
            assert (run.status, run.error, count) == (RunStatus.cancelled, WORKSPACE_DELETED, steps)
        fresh = (await new_run(sessions, hello)).run.id  # the restored workspace runs again
        assert (await runtime.engine.execute(fresh)).status == RunStatus.succeeded
    finally:
        await runtime.close()


async def test_the_engine_refuses_a_run_of_a_workspace_deleted_after_it_was_queued(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    hello = await activate(sessions, workspace, HELLO, default_registry())
    run_id = (await new_run(sessions, hello)).run.id
    async with sessions() as session:  # deleted by any other way than the confirmed link
        found = await session.get(Workspace, workspace.id)
        assert found is not None
        found.deleted_at = utcnow()
        await session.commit()
    assert (await outcome(sessions, run_id))[0].status == RunStatus.queued
    await execute_in_process(settings, run_id)
    run, steps = await outcome(sessions, run_id)
    assert (run.status, run.error, steps) == (RunStatus.cancelled, WORKSPACE_DELETED, 0)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=False)
async def test_a_queued_job_of_a_deleted_workspace_is_not_executed_by_the_worker(
    queue_worker: QueueWorker, workspace: Workspace
) -> None:
    runtime, sessions = queue_worker.runtime, queue_worker.runtime.sessions
    hello = await activate(sessions, workspace, HELLO, runtime.registry)
    run_id = (await new_run(sessions, hello)).run.id
    assert queue_worker.queued_run_ids() == [run_id]
    await delete(sessions, queue_worker.settings, workspace)
    # The job was already on its way when the deletion landed: only the check at claim stops it.
    with psycopg.connect(queue_worker.settings.libpq_url, autocommit=True) as conn:
        conn.execute("UPDATE run SET status = 'queued', error = NULL, finished_at = NULL")

    queue_worker.start()
    assert await runtime.finished(run_id, None, within=20)
    run, steps = await outcome(sessions, run_id)
    assert (run.status, run.error, steps) == (RunStatus.cancelled, WORKSPACE_DELETED, 0)
