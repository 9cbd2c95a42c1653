"""Live events: the hub's fan-out per workspace, and what the engine and fronts announce."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Workspace
from tests.workflows.helpers import Recorder, activate, new_run
from workflows.engine import Engine
from workflows.live import QUEUE_SIZE, LiveEvent, LiveEvents


def drain(queue: asyncio.Queue[LiveEvent]) -> list[LiveEvent]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_events_reach_only_their_workspace_and_a_slow_reader_keeps_the_newest() -> None:
    hub = LiveEvents()
    async with hub.subscribe("ws-a") as a, hub.subscribe("ws-b") as b:
        assert hub.subscriber_count == 2
        hub.publish(LiveEvent("ws-a", "run.started", "wf", "run-1"))
        assert [e.run_id for e in drain(a)] == ["run-1"] and b.empty()
        for i in range(QUEUE_SIZE + 5):
            hub.publish(LiveEvent("ws-b", "run.started", "wf", f"r{i}"))
        kept = drain(b)
        assert len(kept) == QUEUE_SIZE
        assert kept[-1].run_id == f"r{QUEUE_SIZE + 4}" and kept[0].run_id == "r5"
    assert hub.subscriber_count == 0


async def test_the_engine_announces_a_run_step_by_step(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    recorder = Recorder()
    registry = recorder.registry()
    hub = LiveEvents()
    spec: dict[str, Any] = {
        "name": "Two notes",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "one", "action": "test.note", "inputs": {"text": "1"}},
            {"id": "two", "action": "test.broken", "inputs": {"text": "2"}},
        ],
    }
    workflow = await activate(sessions, workspace, spec, registry)
    async with httpx.AsyncClient() as http, hub.subscribe(workspace.id) as queue:
        engine = Engine(settings, sessions, registry, http, on_event=hub.publish)
        started = await new_run(sessions, workflow)
        await engine.execute(started.run.id)
        events = drain(queue)
    kinds = [(e.kind, e.step_id) for e in events]
    assert kinds == [
        ("run.started", None),
        ("step.started", "one"),
        ("step.finished", "one"),
        ("step.started", "two"),
        ("run.failed", None),
    ]
    assert all(e.run_id == started.run.id and e.workflow_id == workflow.id for e in events)
    assert "two" in events[-1].detail
