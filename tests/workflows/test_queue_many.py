"""Waits ended together are enqueued as jobs of several runs (`RUNS_PER_JOB` each): a worker
fetches and finishes one job for them and loads them in one statement; the sweep and the queue
depth count the runs such a job names as waiting for a worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, StepRun, Workspace
from storage.types import utcnow
from tests.conftest import queue_jobs
from tests.workflows.helpers import activate, new_run
from workflows.queue import MANY_TASK_NAME, RUNS_PER_JOB, TASK_NAME, orphans
from workflows.runtime import Runtime
from workflows.waits import WaitClock

pytestmark = pytest.mark.postgres
RUNS = 2 * RUNS_PER_JOB + 3
DRIP = {
    "name": "Drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "pause", "wait": "1 hour"},
        {
            "id": "nudge",
            "action": "email.send",
            "inputs": {"to": "{{ trigger.email }}", "drip": True, "subject": "Hi", "text": "Hi"},
        },
    ],
}


@pytest.fixture
def backend() -> str:
    """The queue is PostgreSQL's."""
    return "postgres"


async def due_drips(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> list[str]:
    """`RUNS` drip runs at their wait, due now (taken there by an engine without a queue)."""
    embedded = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, DRIP, embedded.registry)
        run_ids = []
        for n in range(RUNS):
            payload = {"email": f"c{n}@example.com"}
            run_id = (await new_run(sessions, workflow, payload)).run.id
            assert (await embedded.engine.execute(run_id)).status == RunStatus.waiting
            run_ids.append(run_id)
    finally:
        await embedded.close()
    async with sessions() as session:
        due = utcnow() - timedelta(seconds=1)
        await session.exec(update(Run).where(col(Run.id).in_(run_ids)).values(resume_at=due))
        await session.commit()
    return run_ids


async def test_waits_ended_together_are_enqueued_as_jobs_of_several_runs(
    settings: Settings,
    queued: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    run_ids = await due_drips(settings, sessions, workspace)
    runtime = Runtime(queued)
    try:
        fired = await WaitClock(runtime.sessions, lambda _run_id: None).fire_due()
        assert sorted(fired) == sorted(run_ids)
        found = queue_jobs(queued)
        assert [name for name, _ in found] == [MANY_TASK_NAME] * 3
        # 19 runs in three jobs as even as they go (not 8 + 8 + 3).
        assert [len(args["run_ids"]) for _, args in found] == [7, 6, 6]
        assert sorted(r for _, args in found for r in args["run_ids"]) == sorted(run_ids)
        assert runtime.queue is not None
        assert (await runtime.queue.depth())[0] == RUNS  # runs waiting, not jobs
        # Named by a waiting job: not orphans, and not enqueued again.
        async with runtime.sessions() as session:
            assert await orphans(session, settled=0) == []
            await runtime.queue.enqueue(session, run_ids, new=False)
            await session.commit()
        assert len(queue_jobs(queued)) == 3
        with psycopg.connect(queued.libpq_url, autocommit=True) as conn:
            conn.execute("DELETE FROM procrastinate_jobs")
        async with runtime.sessions() as session:  # their jobs gone: the sweep finds them
            assert sorted(await orphans(session, settled=0)) == sorted(run_ids)
    finally:
        await runtime.close()


async def test_one_run_alone_still_gets_a_job_of_its_own(
    settings: Settings,
    queued: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    run_ids = await due_drips(settings, sessions, workspace)
    runtime = Runtime(queued)
    try:
        async with runtime.sessions() as session:
            assert runtime.queue is not None
            await runtime.queue.enqueue(session, run_ids[:1], new=False)
            await session.commit()
    finally:
        await runtime.close()
    assert queue_jobs(queued) == [(TASK_NAME, {"run_id": run_ids[0]})]


@contextmanager
def loads(runtime: Runtime) -> Iterator[list[str]]:
    """The engine's loads of runs (the SELECT joining run, workflow and workspace)."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and "JOIN workspace" in statement:
            seen.append(statement)

    sync = runtime.db.sync_engine
    event.listen(sync, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)


async def test_a_job_of_several_loads_its_runs_once_and_executes_each_once(
    settings: Settings,
    queued: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    run_ids = await due_drips(settings, sessions, workspace)
    runtime = Runtime(queued)
    try:
        await WaitClock(runtime.sessions, lambda _run_id: None).fire_due()
        chunk = run_ids[:RUNS_PER_JOB]
        with loads(runtime) as first:
            await runtime._execute_many(chunk)
        with loads(runtime) as again:  # the same job delivered twice: nothing more happens
            await runtime._execute_many(chunk)
    finally:
        await runtime.close()
    assert len(first) == 1 and len(again) == 1  # one statement for the job's runs
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(chunk)))).all()
        sent = (await session.exec(select(OutboxMessage))).all()
        steps = (
            await session.exec(
                select(StepRun).where(col(StepRun.run_id).in_(chunk), StepRun.step_id == "nudge")
            )
        ).all()
    assert [r.status for r in runs] == [RunStatus.succeeded] * RUNS_PER_JOB
    assert sorted(m.idempotency_key or "" for m in sent) == sorted(
        f"{r.id}:nudge:{r.trigger_payload['email']}" for r in runs
    )
    assert [s.attempts for s in steps] == [1] * RUNS_PER_JOB


async def test_a_job_whose_runs_cannot_be_loaded_together_executes_each_alone(
    settings: Settings,
    queued: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_ids = await due_drips(settings, sessions, workspace)
    runtime = Runtime(queued)

    async def broken(_run_ids: list[str]) -> dict[str, Any]:
        raise RuntimeError("the statement failed")

    try:
        await WaitClock(runtime.sessions, lambda _run_id: None).fire_due()
        monkeypatch.setattr(runtime.engine, "load_many", broken)
        chunk = run_ids[:RUNS_PER_JOB]
        with loads(runtime) as each:
            await runtime._execute_many(chunk)
    finally:
        await runtime.close()
    assert len(each) == RUNS_PER_JOB  # each run loaded itself
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(chunk)))).all()
    assert [r.status for r in runs] == [RunStatus.succeeded] * RUNS_PER_JOB
