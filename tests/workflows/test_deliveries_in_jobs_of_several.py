"""Runs recorded in the same few milliseconds on a web node (webhook deliveries) share the group
writer's transaction, and go to the queue in it as jobs of several runs: each run is named by
exactly one job, committed with it, and a worker executes each once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from tests.conftest import make_settings, queue_jobs
from tests.workflows.helpers import activate
from workflows.queue import MANY_TASK_NAME, RUNS_PER_JOB, TASK_NAME
from workflows.runs import StartedRun, start_run
from workflows.runtime import Runtime

pytestmark = pytest.mark.postgres

SAY = {
    "name": "Say",
    "trigger": {"type": "webhook"},
    "steps": [{"id": "say", "action": "slack.post_message",
               "inputs": {"channel": "#hooks", "text": "delivery {{ trigger.n }}"}}],
}  # fmt: skip


@pytest.fixture
def backend() -> str:
    """The run queue is PostgreSQL's."""
    return "postgres"


async def deliver(web: Runtime, workflow: Workflow, n: int, key: str | None = None) -> StartedRun:
    """What a webhook delivery records: a run, on a session of the web node's runtime."""
    async with web.sessions() as session:
        fresh = await session.get(Workflow, workflow.id)
        assert fresh is not None
        tenant = Tenant(session, workflow.workspace_id)
        return await start_run(
            tenant, fresh, trigger_type="webhook", payload={"n": n}, idempotency_key=key
        )


def named_runs(jobs: list[tuple[str, object]]) -> list[str]:
    """Every run id the queue's jobs name, once per naming."""
    names: list[str] = []
    for task, args in jobs:
        assert isinstance(args, dict)
        names.extend(args["run_ids"] if task == MANY_TASK_NAME else [args["run_id"]])
    return names


async def test_deliveries_of_the_same_moment_share_jobs_of_several_runs(
    queued: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, SAY, default_registry())
    web = Runtime(queued)
    try:
        started = await asyncio.gather(*(deliver(web, workflow, n) for n in range(20)))
    finally:
        await web.close()
    run_ids = sorted(s.run.id for s in started)
    jobs = queue_jobs(queued)
    assert sorted(named_runs(jobs)) == run_ids  # each run named by exactly one job
    # Before: one job per run (20 jobs, 20 inserts and 20 notifications of the workers).
    assert len(jobs) < len(run_ids)
    several = [args for task, args in jobs if task == MANY_TASK_NAME]
    assert several and all(
        isinstance(a, dict) and 1 < len(a["run_ids"]) <= RUNS_PER_JOB for a in several
    )


async def test_a_delivery_alone_gets_a_job_of_its_own(
    queued: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, SAY, default_registry())
    web = Runtime(queued)
    try:
        run = (await deliver(web, workflow, 1)).run
    finally:
        await web.close()
    assert queue_jobs(queued) == [(TASK_NAME, {"run_id": run.id})]


async def test_a_refused_run_in_a_shared_transaction_leaves_no_job_and_costs_no_other(
    queued: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    """Two deliveries with the same Idempotency-Key at once: the second's INSERT fails the shared
    transaction; it is run again alone (and finds the first's run), the rest commit with their
    jobs, and no job names a run that is not stored."""
    workflow = await activate(sessions, workspace, SAY, default_registry())
    web = Runtime(queued)
    try:
        keys = [None, "same", None, "same", None, None]
        started = await asyncio.gather(
            *(deliver(web, workflow, n, key) for n, key in enumerate(keys))
        )
    finally:
        await web.close()
    assert sum(s.created for s in started) == 5
    async with sessions() as session:
        stored = set((await session.exec(select(Run.id))).all())
    assert len(stored) == 5
    assert sorted(named_runs(queue_jobs(queued))) == sorted(stored)


async def test_a_worker_executes_each_run_of_such_jobs_once(
    tmp_path: Path,
    queued: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await activate(sessions, workspace, SAY, default_registry())
    web = Runtime(queued)
    try:
        started = await asyncio.gather(*(deliver(web, workflow, n) for n in range(20)))
    finally:
        await web.close()
    run_ids = [s.run.id for s in started]
    worker_settings = make_settings(
        tmp_path / "worker", queued.database_url, LEVQOR_RUN_QUEUE=True, LEVQOR_ROLE="worker"
    )
    worker = await Runtime(worker_settings, pages=False).start_role()
    try:
        async with asyncio.timeout(60):
            while True:
                async with sessions() as session:
                    ended = (
                        await session.exec(select(Run.status).where(col(Run.id).in_(run_ids)))
                    ).all()
                if all(status == RunStatus.succeeded for status in ended):
                    break
                await asyncio.sleep(0.1)
    finally:
        await worker.close()
    async with sessions() as session:
        keys = (await session.exec(select(OutboxMessage.idempotency_key))).all()
    assert sorted(str(k) for k in keys) == sorted(
        f"{run_id}:say" for run_id in run_ids
    )  # once each
    assert queue_jobs(queued) == []  # every job finished (and deleted)
