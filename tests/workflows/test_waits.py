"""Wait steps persist and the scheduler resumes them on time, also after a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, Workspace
from tests.conftest import make_settings
from tests.workflows.helpers import activate, new_run
from workflows.runtime import Runtime

POST_DAY0 = {"channel": "#x", "text": "day 0"}
POST_LATER = {"channel": "#x", "text": "later"}
SPEC = {
    "name": "Drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hello", "action": "slack.post_message", "inputs": POST_DAY0},
        {"id": "pause", "wait": "2 seconds"},
        {"id": "again", "action": "slack.post_message", "inputs": POST_LATER},
    ],
}


async def status_of(sessions: async_sessionmaker[AsyncSession], run_id: str) -> Run:
    async with sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        return run


async def test_wait_survives_a_restart_and_resumes_on_time(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    scheduled = make_settings(tmp_path, settings.database_url, LEVQOR_SCHEDULER=True)
    first = await Runtime(scheduled).start()
    workflow = await activate(sessions, workspace, SPEC, first.registry)
    run_id = (await new_run(sessions, workflow)).run.id
    run = await first.engine.execute(run_id)
    assert run.status == RunStatus.waiting and run.resume_at is not None
    await first.close()  # the process stops while the run waits

    second = await Runtime(scheduled).start()
    try:
        for _ in range(100):
            if (await status_of(sessions, run_id)).status == RunStatus.succeeded:
                break
            await asyncio.sleep(0.1)
        done = await status_of(sessions, run_id)
        assert done.status == RunStatus.succeeded
        assert done.finished_at is not None and done.finished_at >= run.resume_at
    finally:
        await second.close()
    async with sessions() as session:
        texts = [m.body for m in (await session.exec(select(OutboxMessage))).all()]
    assert sorted(texts) == ["day 0", "later"]
