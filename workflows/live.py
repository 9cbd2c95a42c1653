"""Live events: an in-process fan-out of run and approval changes to open browser streams.

The engine publishes run/step transitions, the fronts publish approval changes; each web page
that shows live state subscribes for its workspace. Publishing never blocks: a subscriber that
falls behind loses the oldest events (the page re-reads state on reconnect).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from storage.models import Approval, Decision
from storage.types import utcnow

LiveKind = Literal[
    "run.started",
    "step.started",
    "step.finished",
    "run.waiting",
    "run.succeeded",
    "run.failed",
    "approval.pending",
    "approval.decided",
]
QUEUE_SIZE = 500


@dataclass(frozen=True)
class LiveEvent:
    """One change, for one workspace."""

    workspace_id: str
    kind: LiveKind
    workflow_id: str | None = None
    run_id: str | None = None
    step_id: str | None = None
    detail: str = ""
    at: str = field(default_factory=lambda: utcnow().isoformat())

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object (without the workspace id). Built field by field: every
        field is a string or None, and `dataclasses.asdict` deep-copied each (a worker sends
        five to eight events a run: 2 % of its CPU went there)."""
        return {
            "kind": self.kind,
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "step_id": self.step_id,
            "detail": self.detail,
            "at": self.at,
        }


class LiveEvents:
    """Subscribers per workspace; `publish` is synchronous and never waits."""

    def __init__(self) -> None:
        self._ids = itertools.count()
        self._subscribers: dict[int, tuple[str, asyncio.Queue[LiveEvent]]] = {}
        # Set on PostgreSQL: sends each event published here to the other nodes (`live_bus`).
        self.forward: Callable[[LiveEvent], None] | None = None

    def publish(self, event: LiveEvent) -> None:
        """Hand `event` to every subscriber of its workspace (and to `forward`, if set)."""
        self.deliver(event)
        if self.forward is not None:
            self.forward(event)

    def deliver(self, event: LiveEvent) -> None:
        """Hand `event` to this process's subscribers only (an event from another node)."""
        for workspace_id, queue in list(self._subscribers.values()):
            if workspace_id != event.workspace_id:
                continue
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, workspace_id: str) -> AsyncIterator[asyncio.Queue[LiveEvent]]:
        """A queue receiving this workspace's events until the block exits."""
        key = next(self._ids)
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[key] = (workspace_id, queue)
        try:
            yield queue
        finally:
            self._subscribers.pop(key, None)

    def approval_changed(self, approval: Approval) -> None:
        """Announce a new pending approval, or a decision on one (after the commit)."""
        pending = approval.decision == Decision.pending
        self.publish(
            LiveEvent(
                approval.workspace_id,
                "approval.pending" if pending else "approval.decided",
                approval.workflow_id,
                detail=f"class {approval.approval_class}: {approval.decision}",
            )
        )

    @property
    def subscriber_count(self) -> int:
        """How many streams are open (health figures, tests)."""
        return len(self._subscribers)
