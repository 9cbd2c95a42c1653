"""Waits ended together go to the workers as one queue job of several runs; a worker killed in
the middle of such a job loses none of its runs and doubles none of their messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, Workspace
from storage.types import utcnow
from tests.conftest import empty_run_queue, make_settings, queue_jobs
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.reliability.harness import Headless, headless, held_lookup, until
from tests.workflows.helpers import activate, new_run
from workflows.queue import MANY_TASK_NAME, RUNS_PER_JOB
from workflows.runtime import Runtime
from workflows.waits import WaitClock

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RUNS = RUNS_PER_JOB  # one job of several
WORKERS = {"LEVQOR_RUN_QUEUE": "true", "LEVQOR_WORKER_CONCURRENCY": "4",
           "LEVQOR_LEASE_SECONDS": "3"}  # fmt: skip
WORKS = "Starting worker on queues"


@pytest.fixture
def backend() -> str:
    """Workers and their queue are PostgreSQL's."""
    return "postgres"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:
    return empty_run_queue(
        make_settings(tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url)
    )


async def test_a_worker_killed_mid_job_of_several_loses_and_doubles_nothing(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    gates: list[tuple[Gate, LoopbackServer]],
) -> None:
    gate, server = gates[0]
    workflow = await activate(sessions, workspace, {
        "name": "Drip", "trigger": {"type": "manual"},
        "steps": [{"id": "pause", "wait": "1 hour"}, held_lookup("look", server.url),
                  {"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#drip", "text": "run {{ trigger.n }}"}}],
    }, default_registry())  # fmt: skip
    embedded = Runtime(settings)  # takes each run to its wait
    run_ids = []
    for n in range(RUNS):
        run_id = (await new_run(sessions, workflow, {"n": n})).run.id
        assert (await embedded.engine.execute(run_id)).status == RunStatus.waiting
        run_ids.append(run_id)
    await embedded.close()
    async with sessions() as session:
        due = utcnow() - timedelta(seconds=1)
        await session.exec(update(Run).where(col(Run.id).in_(run_ids)).values(resume_at=due))
        await session.commit()

    # The leading scheduler's clock ends the waits and enqueues their runs, in one transaction.
    queueing = Runtime(make_settings(tmp_path / "q", settings.database_url, LEVQOR_RUN_QUEUE=True))
    try:
        fired = await WaitClock(queueing.sessions, lambda _run_id: None).fire_due()
    finally:
        await queueing.close()
    assert sorted(fired) == sorted(run_ids)
    assert [(name, sorted(args["run_ids"])) for name, args in queue_jobs(settings)] == [
        (MANY_TASK_NAME, sorted(run_ids))
    ]

    workers: list[Headless] = []
    try:
        workers = [
            await headless(settings, tmp_path, f"worker{i}", "worker", **WORKERS) for i in (1, 2)
        ]
        for worker in workers:
            await worker.ready(WORKS)

        async def all_at_the_gate() -> bool:
            return gate.hits >= RUNS

        await until(all_at_the_gate, 90, "every run of the job at its lookup")

        async def holders() -> set[str] | None:
            async with sessions() as session:
                runs = (await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all()
            owners = {r.lease_owner for r in runs if r.lease_owner}
            return owners if len(owners) == 1 and all(r.lease_owner for r in runs) else None

        (owner,) = await until(holders, 30, "the job's runs held by one worker")
        victim = next(w for w in workers if f":{w.pid}:" in owner)
        await victim.kill()  # mid-job: every run of it leased, none finished
        gate.released.set()

        async def all_done() -> list[Run] | None:
            async with sessions() as session:
                runs = list((await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all())
            ended = [r for r in runs if r.status in (RunStatus.succeeded, RunStatus.failed)]
            return runs if len(ended) == RUNS else None

        runs = await until(all_done, 120, "the killed worker's runs to finish")
    finally:
        for worker in workers:
            await worker.kill()
    assert [(r.status, r.error) for r in runs] == [(RunStatus.succeeded, None)] * RUNS
    texts = sorted(m["text"] for m in fake_slack.messages("#drip"))
    assert texts == sorted(f"run {n}" for n in range(RUNS))  # none lost, none doubled
    assert gate.hits == 2 * RUNS  # each lookup (a read) made again by the surviving worker
    async with sessions() as session:
        recovered = (
            await session.exec(
                select(RunEvent.run_id).where(
                    col(RunEvent.run_id).in_(run_ids), RunEvent.kind == "run_recovered"
                )
            )
        ).all()
        posts = (
            await session.exec(
                select(StepRun).where(col(StepRun.run_id).in_(run_ids), StepRun.step_id == "say")
            )
        ).all()
    assert sorted(recovered) == sorted(run_ids)
    assert [s.attempts for s in posts] == [1] * RUNS
