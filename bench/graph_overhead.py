"""Graph overhead per turn: median ms of a conversation turn minus the drafter's own time.

Offline drafter, SQLite checkpointer and database in a temp dir. Each round is one thread:
draft, revise ("make it 8am London time"), revise ("also email me"), list workflows.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncio
import statistics
import sys
import time
import uuid
from typing import Any

from agents.assistant import Assistant
from agents.checkpoint import open_checkpointer
from agents.drafting import OfflineDrafter
from agents.drafts import DraftResult
from bench.common import summary, temp_settings
from storage.models import Member, Role, Workspace
from workflows.runtime import Runtime

TURNS = [
    "every Monday 9am post a report of last week's runs to #ops",
    "make it 8am London time",
    "also email me",
    "list my workflows",
]


class TimedDrafter:
    """The offline drafter, recording how long each of its calls took."""

    def __init__(self, inner: OfflineDrafter) -> None:
        self.inner = inner
        self.spent_ms = 0.0

    async def draft(self, request: str, *, current: dict[str, Any] | None = None) -> DraftResult:
        """Draft and add the time taken to `spent_ms`."""
        start = time.perf_counter()
        try:
            return await self.inner.draft(request, current=current)
        finally:
            self.spent_ms += (time.perf_counter() - start) * 1000


async def measure(rounds: int) -> tuple[list[float], list[float]]:
    """Per-turn total and overhead (total minus drafter) timings in ms."""
    settings = temp_settings()
    runtime = Runtime(settings)
    drafter = TimedDrafter(OfflineDrafter(runtime.registry))
    totals: list[float] = []
    overheads: list[float] = []
    try:
        async with runtime.sessions() as session:
            workspace = Workspace(slug="bench", name="Bench")
            session.add(workspace)
            await session.flush()
            owner = Member(workspace_id=workspace.id, name="Owner", role=Role.owner)
            session.add(owner)
            await session.commit()
        async with open_checkpointer(settings) as checkpointer:
            assistant = Assistant(
                runtime, checkpointer, workspace_id=workspace.id, member_id=owner.id,
                drafter=drafter,
            )  # fmt: skip
            await assistant.send("warm-up", TURNS[0])
            for _ in range(rounds):
                thread = uuid.uuid4().hex
                for text in TURNS:
                    drafter.spent_ms = 0.0
                    start = time.perf_counter()
                    await assistant.send(thread, text)
                    total = (time.perf_counter() - start) * 1000
                    totals.append(total)
                    overheads.append(total - drafter.spent_ms)
    finally:
        await runtime.close()
    return totals, overheads


def main(rounds: int = 25) -> None:
    """Print per-turn totals and graph overhead."""
    totals, overheads = asyncio.run(measure(rounds))
    print(f"turn total ms:     {summary(totals)}")
    print(f"graph overhead ms: {summary(overheads)}")
    print(f"graph overhead per turn (median): {statistics.median(overheads):.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
