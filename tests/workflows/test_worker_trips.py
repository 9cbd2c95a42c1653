"""Round trips a queue worker spends per run on PostgreSQL, beside the statements themselves.

10,000 drip waits due within a minute are drained by two workers on the same cores as
PostgreSQL (bench/drip_waits.py --workers 2): every round trip is CPU on both sides. What is
pinned here: reads open no transaction (no BEGIN, no ROLLBACK around a SELECT), the queue's
own statements (a job's fetch and finish) none either, a worker or scheduler process does not
listen to live events it has no page to show on, and waits falling due one after another are
ended together by the scheduler (one transaction), not one fire each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from procrastinate.jobs import Status
from psycopg._connection_base import BaseConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, RunStatus, StepRun, Workspace
from tests.conftest import empty_run_queue, make_settings
from tests.workflows.helpers import activate, new_run
from tests.workflows.test_engine_statements import COMMITS, counting, waiting_drip
from workflows.engine import Engine
from workflows.live_bus import CHANNEL
from workflows.queue import RunQueue
from workflows.runtime import Runtime
from workflows.waits import WaitClock

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    """Round trips are PostgreSQL's (SQLite has none)."""
    return "postgres"


@contextmanager
def transaction_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """BEGIN, COMMIT and ROLLBACK as psycopg sends them (each a round trip), on any connection."""
    sent: list[str] = []
    real = BaseConnection._exec_command

    def noting(self: Any, command: Any, *args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        text = bytes(command).decode() if isinstance(command, bytes) else str(command)
        sent.append(text.split(None, 1)[0].upper())
        return (yield from real(self, command, *args, **kwargs))

    with monkeypatch.context() as patch:
        patch.setattr(BaseConnection, "_exec_command", noting)
        yield sent


async def test_a_drip_resume_reads_without_opening_transactions(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with httpx.AsyncClient() as http:
        runner = Engine(settings, sessions, default_registry(), http)
        run_id = await waiting_drip(
            sessions, workspace, runner, {"email": "ada@example.com", "name": "Ada"}
        )
        with transaction_commands(monkeypatch) as sent, counting(engine) as resume:
            done = await runner.execute(run_id)

    assert done.status == RunStatus.succeeded
    # The load, the workspace's mail server and the unsubscribes are read outside any
    # transaction: a BEGIN only for each commit, and no ROLLBACK (before: three of each more).
    assert resume.commits == COMMITS
    assert sent.count("BEGIN") == COMMITS and sent.count("COMMIT") == COMMITS, sent
    assert "ROLLBACK" not in sent, sent


async def test_the_read_sessions_do_not_write(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    """A cancel found while loading (its workspace deleted) is still written, in a session
    that can commit (the load's reading session is not one)."""
    async with httpx.AsyncClient() as http:
        runner = Engine(settings, sessions, default_registry(), http)
        run_id = await waiting_drip(
            sessions, workspace, runner, {"email": "ada@example.com", "name": "Ada"}
        )
        async with sessions() as session:
            stored = await session.get(Workspace, workspace.id)
            assert stored is not None
            stored.deleted_at = datetime.now(UTC)
            await session.commit()
        assert (await runner.execute(run_id)).status == RunStatus.cancelled
    async with sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None and run.status == RunStatus.cancelled


async def test_the_queue_fetches_and_finishes_a_job_without_a_transaction(
    tmp_path: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = empty_run_queue(make_settings(tmp_path, database_url, LEVQOR_RUN_QUEUE=True))
    queue = RunQueue(settings)
    async with queue.app.open_async():
        assert await queue.enqueue_now(["run-1"]) == 1
        manager = queue.app.job_manager
        worker_id = await manager.register_worker()
        with transaction_commands(monkeypatch) as sent:
            job = await manager.fetch_job(queues=None, worker_id=worker_id)
            assert job is not None and job.task_kwargs == {"run_id": "run-1"}
            await manager.finish_job(job=job, status=Status.SUCCEEDED, delete_job=True)
        await manager.unregister_worker(worker_id)
    assert sent == []  # before: BEGIN and COMMIT around each (four round trips a run)


async def test_a_worker_process_sends_live_events_but_does_not_listen(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, default_registry())  # fmt: skip
    page = await Runtime(settings).start(scheduler=False, recover=False)
    worker = await Runtime(settings, pages=False).start(scheduler=False, recover=False)
    try:
        async with page.live.subscribe(workspace.id) as seen, worker.live.subscribe(workspace.id):
            for _ in range(400):  # until the page node's listener is connected
                if await listeners(settings) >= 1:
                    break
                await asyncio.sleep(0.05)
            run = (await new_run(sessions, workflow)).run
            await worker.engine.execute(run.id)
            kinds: list[str] = []
            async with asyncio.timeout(20):
                while "run.succeeded" not in kinds:
                    kinds.append((await seen.get()).kind)
            # The worker's events reached the page node; the worker itself listens to nobody.
            assert kinds == ["run.started", "step.started", "step.finished", "run.succeeded"]
            assert await listeners(settings) == 1
    finally:
        await page.close()
        await worker.close()


async def listeners(settings: Settings) -> int:
    """Connections of this database listening on the live channel."""

    def count() -> int:
        with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query = %s",
                (f"LISTEN {CHANNEL}",),
            ).fetchone()
        return int(row[0]) if row else 0

    return await asyncio.to_thread(count)


HOUR_WAIT = {
    "name": "Hour drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "pause", "wait": "1 hour"},
        {"id": "again", "action": "slack.post_message", "inputs": {"channel": "#x", "text": "x"}},
    ],
}


async def test_waits_falling_due_one_after_another_end_in_one_fire(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, HOUR_WAIT, runtime.registry)
        run_ids = []
        for _ in range(3):
            run_id = (await new_run(sessions, workflow)).run.id
            assert (await runtime.engine.execute(run_id)).status == RunStatus.waiting
            run_ids.append(run_id)
        fired: list[str] = []
        clock = WaitClock(sessions, fired.append, poll_seconds=0.1, gather_seconds=1.5)
        clock.start()
        await asyncio.sleep(0.2)  # its first look found nothing due
        now = datetime.now(UTC)
        async with sessions() as session:  # due 0.3, 0.6 and 0.9 s from now
            for n, run_id in enumerate(run_ids, start=1):
                due = now + timedelta(seconds=0.3 * n)
                await session.exec(update(Run).where(col(Run.id) == run_id).values(resume_at=due))
            await session.commit()
        for _ in range(400):
            if len(fired) >= 3:
                break
            await asyncio.sleep(0.05)
        await clock.stop()
    finally:
        await runtime.close()
    async with sessions() as session:
        ended = (
            await session.exec(select(StepRun.finished_at).where(col(StepRun.run_id).in_(run_ids)))
        ).all()
    # One fire (one transaction, one `now`) ended all three; without gathering, one each.
    assert sorted(fired) == sorted(run_ids)
    assert len(set(ended)) == 1, ended
