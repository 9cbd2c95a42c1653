"""Two `levqor serve` processes on one database (SQLite file, PostgreSQL) execute each run once.

The first is executing a run (held at an HTTP lookup) when the second starts and sweeps: the second
leaves it alone. Runs queued meanwhile are taken by one process or the other, never by both.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, Workspace
from tests.conftest import make_settings
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.reliability.harness import LEASE_SECONDS, Served, held_lookup, serve, until
from tests.workflows.helpers import activate, new_run

QUEUED = 8


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


@pytest.mark.slow
async def test_two_serving_processes_execute_each_run_once(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    gates: list[tuple[Gate, LoopbackServer]],
    owner_api: Any,
) -> None:
    gate, server = gates[0]
    registry = default_registry()
    held = await activate(sessions, workspace, {
        "name": "Look up", "trigger": {"type": "manual"},
        "steps": [held_lookup("look", server.url)],
    }, registry)  # fmt: skip
    posting = await activate(sessions, workspace, {
        "name": "Post", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#ops", "text": "run {{ trigger.n }}"}}],
    }, registry)  # fmt: skip
    processes: list[Served] = []
    try:
        first = await serve(settings, tmp_path, "first")
        processes.append(first)
        response = await owner_api(first.url, "POST", f"/api/workflows/{held.id}/run")
        in_flight = str(response.json()["id"])
        assert await asyncio.to_thread(gate.reached.wait, 30)
        queued = [(await new_run(sessions, posting, {"n": n})).run.id for n in range(QUEUED)]
        second = await serve(settings, tmp_path, "second")  # recovers at start, then sweeps
        processes.append(second)
        await asyncio.sleep(LEASE_SECONDS * 1.5)  # both have swept at least once meanwhile
        assert gate.hits == 1  # the second process left the first one's run alone
        gate.released.set()

        async def all_done() -> list[Run] | None:
            async with sessions() as session:
                ids = [in_flight, *queued]
                runs = list((await session.exec(select(Run).where(col(Run.id).in_(ids)))).all())
            done = all(r.status in (RunStatus.succeeded, RunStatus.failed) for r in runs)
            return runs if done else None

        runs = await until(all_done, 60, "every run to finish")
    finally:
        for process in processes:
            if process.process.returncode is None:
                await process.kill()
    assert all(r.status == RunStatus.succeeded for r in runs), [r.error for r in runs]
    assert gate.hits == 1
    texts = sorted(m["text"] for m in fake_slack.messages("#ops"))
    assert texts == sorted(f"run {n}" for n in range(QUEUED))  # each once
    async with sessions() as session:
        steps = (await session.exec(select(StepRun).where(col(StepRun.run_id).in_(queued)))).all()
        kinds = (await session.exec(select(RunEvent.kind))).all()
    assert sorted(s.attempts for s in steps) == [1] * QUEUED
    assert "run_recovered" not in kinds  # nobody's lease ever had to be taken over
