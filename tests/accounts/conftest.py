"""Shared pieces of the tests that check queued runs are stopped (workspace deletion, agency
unlink): a one-step workflow, a run's outcome, and a runtime on the PostgreSQL run queue whose
worker a test starts when it is ready."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Run, StepRun
from tests.conftest import make_settings
from workflows.queue import ensure_schema
from workflows.runtime import Runtime

HELLO: dict[str, Any] = {
    "name": "Hello",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "hi"}}
    ],
}


async def outcome(sessions: async_sessionmaker[AsyncSession], run_id: str) -> tuple[Run, int]:
    """The run as stored now and how many steps it recorded."""
    async with sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        steps = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all()
        return run, len(steps)


async def execute_in_process(settings: Settings, *run_ids: str) -> None:
    """Execute the runs, one after the other, on a runtime of their own (no run queue)."""
    runtime = Runtime(settings)
    try:
        for run_id in run_ids:
            await runtime.engine.execute(run_id)
    finally:
        await runtime.close()


@dataclass
class QueueWorker:
    """A runtime whose sessions enqueue each recorded run's job (in the run's own transaction),
    on an empty job queue; `start()` sets one worker executing them."""

    settings: Settings
    runtime: Runtime
    task: asyncio.Task[None] | None = field(default=None)

    def start(self) -> None:
        self.task = asyncio.create_task(self.runtime.work(1))

    def queued_run_ids(self) -> list[str]:
        with psycopg.connect(self.settings.libpq_url) as conn:
            jobs = conn.execute("SELECT args->>'run_id' FROM procrastinate_jobs").fetchall()
        return sorted(j for (j,) in jobs)


@pytest.fixture
async def queue_worker(tmp_path: Path, database_url: str) -> AsyncIterator[QueueWorker]:
    queued = make_settings(tmp_path, database_url, LEVQOR_RUN_QUEUE=True)
    ensure_schema(queued)
    with psycopg.connect(queued.libpq_url, autocommit=True) as conn:
        conn.execute("TRUNCATE procrastinate_jobs, procrastinate_workers CASCADE")
    worker = QueueWorker(queued, Runtime(queued))
    try:
        yield worker
    finally:
        if worker.task is not None:
            worker.task.cancel()
            await asyncio.gather(worker.task, return_exceptions=True)
        await worker.runtime.close()
