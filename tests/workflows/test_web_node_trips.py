"""Round trips of a web node on PostgreSQL per webhook delivery, and live events between nodes.

Per delivery a web node reads the workflow with its workspace (`hub_rows`) and records the run
with its job. The read is made outside any transaction (no BEGIN and COMMIT around it: two of
its three round trips); the run's insert and its job share the group writer's transaction.
Live events travel packed, several to a notification.
"""

from __future__ import annotations

import asyncio
from dataclasses import fields

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.db import read_sessions
from storage.models import Workflow, Workspace
from tests.workflows.helpers import activate
from tests.workflows.test_worker_trips import transaction_commands
from workflows.live import LiveEvent, LiveEvents
from workflows.live_bus import PACK_BYTES, LiveBus
from workflows.triggers.webhook import hub_rows

pytestmark = pytest.mark.postgres

HOOK = {
    "name": "Hook",
    "trigger": {"type": "webhook"},
    "steps": [{"id": "say", "action": "slack.post_message",
               "inputs": {"channel": "#hooks", "text": "hi"}}],
}  # fmt: skip


@pytest.fixture
def backend() -> str:
    """Round trips are PostgreSQL's (SQLite has none)."""
    return "postgres"


async def test_the_hub_read_opens_no_transaction_and_leaves_its_rows_in_the_session(
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workflow = await activate(sessions, workspace, HOOK, default_registry())
    async with sessions() as session:
        with transaction_commands(monkeypatch) as sent:
            rows = await hub_rows(session, workflow.id, read_sessions(sessions))
            assert rows is not None
            found, space = rows
            # The front door's checks and `receive` find both in the session: no query.
            assert await session.get(Workflow, workflow.id) is found
            assert await session.get(Workspace, workspace.id) is space
            await session.commit()  # nothing was begun: nothing to send
        assert sent == []  # before: BEGIN, the SELECT, and COMMIT at the run's insert
        assert found.webhook_secret == workflow.webhook_secret and space.id == workspace.id
    async with sessions() as session:
        assert await hub_rows(session, "no-such-workflow", read_sessions(sessions)) is None


def event(n: int, detail: str = "") -> LiveEvent:
    return LiveEvent("ws", "step.finished", "wf", f"run-{n}", "say", detail=detail)


async def test_live_events_travel_packed_in_order_and_a_node_skips_its_own() -> None:
    sender = LiveBus("postgresql://unused", LiveEvents(), listen=False)
    heard = LiveEvents()
    receiver = LiveBus("postgresql://unused", heard)
    batch = [event(n, detail="x" * 1500) for n in range(12)]
    packs = sender._packs(batch)
    assert 1 < len(packs) < len(batch) and all(len(p.encode()) <= PACK_BYTES for p in packs)
    async with heard.subscribe("ws") as seen, sender._live.subscribe("ws") as own:
        for pack in packs:
            receiver._receive(pack)
            sender._receive(pack)  # its own pack comes back over the channel: skipped
        got = [seen.get_nowait() for _ in range(seen.qsize())]
        assert [e.run_id for e in got] == [e.run_id for e in batch]
        assert got[0] == batch[0]
        assert own.empty()
        # A node from before packs sends one event per notification: still heard.
        receiver._receive(sender._event(event(99)).replace("{", '{"origin":"old",', 1))
        assert (await asyncio.wait_for(seen.get(), 1)).run_id == "run-99"


def test_an_event_as_json_has_every_field_but_the_workspace() -> None:
    one = event(1, detail="done")
    every = {f.name: getattr(one, f.name) for f in fields(LiveEvent) if f.name != "workspace_id"}
    assert one.to_json() == every
