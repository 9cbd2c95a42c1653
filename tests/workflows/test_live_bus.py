"""Live events across nodes on PostgreSQL: a page on node A sees a run node B executes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Workspace
from tests.workflows.helpers import activate, new_run
from workflows.live import LiveEvent
from workflows.runtime import Runtime

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    """LISTEN/NOTIFY is PostgreSQL's (on SQLite there is one process)."""
    return "postgres"


async def next_events(queue: asyncio.Queue[LiveEvent], until: str, within: float = 20) -> list[str]:
    kinds: list[str] = []
    async with asyncio.timeout(within):
        while until not in kinds:
            kinds.append((await queue.get()).kind)
    return kinds


async def test_a_subscriber_on_one_node_sees_a_run_executed_on_another(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, default_registry())  # fmt: skip
    node_a = await Runtime(settings).start(scheduler=False, recover=False)
    node_b = await Runtime(settings).start(scheduler=False, recover=False)
    try:
        async with node_a.live.subscribe(workspace.id) as seen_on_a:
            await asyncio.sleep(0.5)  # both listeners are connected
            run = (await new_run(sessions, workflow)).run
            await node_b.engine.execute(run.id)
            kinds = await next_events(seen_on_a, "run.succeeded")
            assert kinds == ["run.started", "step.started", "step.finished", "run.succeeded"]
            node_a.live.publish(LiveEvent(workspace.id, "approval.pending", workflow.id))
            assert (await asyncio.wait_for(seen_on_a.get(), 10)).kind == "approval.pending"
            await asyncio.sleep(0.5)
            assert seen_on_a.empty()  # its own event came back over the channel: not twice
    finally:
        await node_a.close()
        await node_b.close()
