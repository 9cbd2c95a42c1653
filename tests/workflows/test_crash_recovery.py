"""A run whose process is SIGKILLed after step 1 finishes after restart without repeating step 1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from storage.config import Settings
from storage.models import Run, RunStatus, StepRun, Workspace
from tests.conftest import make_settings
from tests.fakes.http_server import serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.helpers import activate, new_run
from workflows.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]


class Gate:
    """An HTTP endpoint that holds the first request until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self.app = Starlette(routes=[Route("/lookup", self.lookup)])

    async def lookup(self, request: Request) -> JSONResponse:
        self.reached.set()
        await asyncio.to_thread(self.released.wait, 60)
        return JSONResponse({"tier": "gold"})


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


@pytest.mark.slow
async def test_killed_run_resumes_without_repeating_step_one(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    gate = Gate()
    with serve_app(gate.app) as server:
        runtime = Runtime(settings)
        spec = {
            "name": "Greet then look up",
            "trigger": {"type": "manual"},
            "steps": [
                {
                    "id": "greet",
                    "action": "slack.post_message",
                    "inputs": {"channel": "#ops", "text": "step one"},
                },
                {
                    "id": "lookup",
                    "action": "http.request",
                    "inputs": {"method": "GET", "url": f"{server.url}/lookup"},
                },
            ],
        }
        workflow = await activate(sessions, workspace, spec, runtime.registry)
        run_id = (await new_run(sessions, workflow)).run.id
        env = {
            **os.environ,
            "DATABASE_URL": settings.resolved_database_url,
            "LEVQOR_DATA_DIR": str(settings.data_dir),
            "LEVQOR_SECRET_KEY": "test-secret-key-not-for-production",
            "LEVQOR_HTTP_ALLOWED_HOSTS": '["127.0.0.1"]',
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake_slack.url,
        }
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.workflows.crash_worker", run_id, cwd=ROOT, env=env
        )
        try:
            reached = await asyncio.to_thread(gate.reached.wait, 30)
            assert reached, "the worker never reached step 2"
        finally:
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), 10)
        assert worker.returncode == -signal.SIGKILL
        assert len(fake_slack.calls("chat.postMessage")) == 1
        async with sessions() as session:
            stored = await session.get(Run, run_id)
            assert stored is not None and stored.status == RunStatus.running
        gate.released.set()
        try:
            await runtime.start(scheduler=False)  # recovery picks up the orphaned run
            await runtime.drain()
        finally:
            await runtime.close()
    async with sessions() as session:
        run = await session.get(Run, run_id)
        steps = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all()
    assert run is not None and run.status == RunStatus.succeeded, run and run.error
    by_id = {s.step_id: s for s in steps}
    assert by_id["greet"].attempts == 1
    assert by_id["lookup"].output and by_id["lookup"].output["json"] == {"tier": "gold"}
    assert len(fake_slack.calls("chat.postMessage")) == 1
