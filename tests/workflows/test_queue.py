"""The run queue's sweep: which runs a dead worker left behind, and which of its jobs are dead."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, RunStatus, Workspace
from storage.types import utcnow
from tests.workflows.helpers import activate, new_run
from workflows.queue import RunQueue, orphans
from workflows.runtime import Runtime
from workflows.waits import WaitClock

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    """The queue is PostgreSQL's."""
    return "postgres"


async def test_orphans_are_runs_with_no_live_lease_and_no_waiting_job(
    queued: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, default_registry())  # fmt: skip
    ids = [(await new_run(sessions, workflow)).run.id for _ in range(5)]
    dead, alive, has_job, fresh, done = ids
    old = utcnow() - timedelta(minutes=5)
    async with sessions() as session:
        for run_id in ids:
            run = await session.get(Run, run_id)
            assert run is not None
            run.created_at = old if run_id != fresh else utcnow()
            if run_id in (dead, alive):
                run.status, run.lease_owner = RunStatus.running, "host:ns:1:ab"
                run.lease_expires_at = old if run_id == dead else utcnow() + timedelta(minutes=1)
            if run_id == done:
                run.status = RunStatus.succeeded
        await session.commit()
    await RunQueue(queued).enqueue_now([has_job, has_job])  # the second is refused: one waits
    async with sessions() as session:
        found = await orphans(session, settled=30)
    assert found == [dead]
    with psycopg.connect(queued.libpq_url) as conn:
        jobs = conn.execute("SELECT queueing_lock FROM procrastinate_jobs").fetchall()
    assert jobs == [(has_job,)]


async def test_jobs_of_silent_workers_are_marked_failed_and_live_ones_kept(
    queued: Settings,
) -> None:
    with psycopg.connect(queued.libpq_url, autocommit=True) as conn:
        silent, beating = (
            conn.execute(
                "INSERT INTO procrastinate_workers (last_heartbeat)"
                " VALUES (now() - %s) RETURNING id",
                (timedelta(seconds=seconds),),
            ).fetchone()[0]  # type: ignore[index]
            for seconds in (120, 2)
        )
        for worker in (silent, beating):
            conn.execute(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id)"
                " VALUES ('levqor_runs', 'levqor.execute_run', '{}', 'doing', %s)",
                (worker,),
            )
    assert await RunQueue(queued).forget_stalled(60) == 1
    with psycopg.connect(queued.libpq_url) as conn:
        rows = conn.execute("SELECT worker_id, status FROM procrastinate_jobs").fetchall()
    assert sorted(rows) == sorted([(silent, "failed"), (beating, "doing")])


async def test_a_wait_that_ends_enqueues_its_run_in_the_same_transaction(
    queued: Settings,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await activate(sessions, workspace, {
        "name": "Later", "trigger": {"type": "manual"},
        "steps": [{"id": "pause", "wait": "1 seconds"},
                  {"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#later", "text": "later"}}],
    }, default_registry())  # fmt: skip
    run_id = (await new_run(sessions, workflow)).run.id
    executing = Runtime(settings)  # executes up to the wait, in this process
    try:
        assert (await executing.engine.execute(run_id)).status == RunStatus.waiting
    finally:
        await executing.close()
    await asyncio.sleep(1.2)
    queueing = Runtime(queued)  # a scheduler with the run queue: ends the wait, enqueues the run
    try:
        clock = WaitClock(queueing.sessions, lambda _run_id: None)
        assert await clock.fire_due() == [run_id]
    finally:
        await queueing.close()
    with psycopg.connect(queued.libpq_url) as conn:
        jobs = conn.execute("SELECT args->>'run_id', status FROM procrastinate_jobs").fetchall()
    assert jobs == [(run_id, "todo")]
    async with sessions() as session:
        run = await session.get(Run, run_id)
    assert run is not None and run.status == RunStatus.queued
