"""Who takes over runs left behind: `serve` does, `chat` never, `slack` with its scheduler."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import chat
from bot.slack import socket
from storage.config import Settings
from storage.models import Role, Run, RunStatus, Workspace
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.helpers import Recorder, activate, new_run

NOTE = {"name": "Note", "trigger": {"type": "manual"},
        "steps": [{"id": "n", "action": "test.note", "inputs": {"text": "hi"}}]}  # fmt: skip


async def left_behind(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> str:
    """A queued run nobody executes (its process stopped before it began)."""
    workflow = await activate(sessions, workspace, NOTE, Recorder().registry())
    return (await new_run(sessions, workflow)).run.id


async def status(sessions: async_sessionmaker[AsyncSession], run_id: str) -> RunStatus:
    async with sessions() as session:
        run = await session.get(Run, run_id)
    assert run is not None
    return run.status


async def test_levqor_chat_does_not_take_over_runs(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_id = await left_behind(sessions, workspace)

    async def leave(*_args: Any) -> None:
        return None

    monkeypatch.setattr(chat, "_loop", leave)  # the person types "quit" at once
    await chat._chat(settings, "acme", Role.owner, None, "t-1")
    assert await status(sessions, run_id) == RunStatus.queued


class _NoSocket:
    def __init__(self, *_args: Any) -> None: ...

    async def connect_async(self) -> None: ...

    async def close_async(self) -> None: ...


@pytest.mark.parametrize("scheduler", [False, True])
async def test_levqor_slack_takes_over_runs_only_with_its_scheduler(
    tmp_path: Path,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    fake_slack: FakeSlack,  # noqa: F811
    scheduler: bool,
) -> None:
    run_id = await left_behind(sessions, workspace)
    settings = make_settings(
        tmp_path, database_url, LEVQOR_SCHEDULER=scheduler, SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="not-used-here", SLACK_API_URL=fake_slack.url,
    )  # fmt: skip
    monkeypatch.setattr(socket, "AsyncSocketModeHandler", _NoSocket)
    stop = asyncio.Event()
    stop.set()
    await socket.run_socket_mode(settings, until=stop)
    # The run's action (test.note) is not in the served registry: taken over, it fails in words.
    expected = RunStatus.failed if scheduler else RunStatus.queued
    assert await status(sessions, run_id) == expected
