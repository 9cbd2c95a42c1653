"""The REST fronts announce approvals on the live-event hub (the web's health canvas listens)."""

from __future__ import annotations

import asyncio

from storage.models import Role
from tests.bot.conftest import Live
from workflows.live import LiveEvent


def drain(queue: asyncio.Queue[LiveEvent]) -> list[LiveEvent]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_creating_and_approving_over_the_api_announces_the_approval(live: Live) -> None:
    spec = {
        "name": "Ping",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "s", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
        ],
    }
    async with live.runtime.live.subscribe(live.workspace.id) as queue:
        created = await live.as_(Role.operator).post("/api/workflows", json={"spec": spec})
        assert created.status_code == 201
        approval_id = created.json()["approval"]["id"]
        decided = await live.as_(Role.owner).post(f"/api/approvals/{approval_id}/approve")
        assert decided.status_code == 200
        events = drain(queue)
    assert [e.kind for e in events] == ["approval.pending", "approval.decided"]
    assert events[0].workflow_id == created.json()["id"]
