"""A run that kills every process executing it is failed and alerted, not retried forever."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, Workspace
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.reliability.crashing_worker import registry
from tests.reliability.harness import worker
from tests.workflows.helpers import activate, new_run

POISON = {
    "name": "Poison",
    "trigger": {"type": "manual"},
    "steps": [{"id": "boom", "action": "test.crash", "inputs": {}}],
}
LIMIT = 2  # LEVQOR_RUN_MAX_RECOVERIES for this test (3 by default)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


@pytest.mark.slow
async def test_a_poison_run_is_failed_and_alerted_after_the_limit(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
) -> None:
    workflow = await activate(sessions, workspace, POISON, registry())
    run_id = (await new_run(sessions, workflow)).run.id
    exits = []
    for _ in range(LIMIT + 2):  # a restart loop, as a supervisor would run it
        code = await worker(
            settings, "tests.reliability.crashing_worker", LEVQOR_RUN_MAX_RECOVERIES=LIMIT
        )
        exits.append(code)
        if code == 0:
            break
    # Killed by its run twice; the third start fails the run instead of executing it again.
    assert exits == [-signal.SIGKILL] * LIMIT + [0]
    async with sessions() as session:
        run = await session.get(Run, run_id)
        kinds = (await session.exec(select(RunEvent.kind).where(RunEvent.run_id == run_id))).all()
    assert run is not None and run.status == RunStatus.failed and run.finished_at is not None
    assert run.error and f"stopped the process running it {LIMIT} times" in run.error
    assert run.lease_owner is None and run.recoveries == LIMIT
    assert kinds.count("run_recovered") == LIMIT
    [alert] = fake_slack.calls("chat.postMessage")
    assert (
        alert.args["channel"] == "#alerts"
        and "Levqor stopped trying this run" in alert.args["text"]
    )
    # One more start finds nothing to do: the run is not retried any more.
    assert await worker(settings, "tests.reliability.crashing_worker") == 0
    assert len(fake_slack.calls("chat.postMessage")) == 1
