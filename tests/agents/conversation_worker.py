"""A second process for conversation tests: open the assistant on the shared database and act.

`python -m tests.agents.conversation_worker resume THREAD MEMBER WORKSPACE approve|reject APPROVAL`
prints the reply as JSON (settings come from the environment, as in production).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agents.approval import ApprovalResponse
from agents.assistant import Assistant
from agents.checkpoint import open_checkpointer
from agents.drafting import OfflineDrafter
from storage.config import Settings
from workflows.runtime import Runtime


@asynccontextmanager
async def open_assistant(
    settings: Settings, workspace_id: str, member_id: str, *, scheduler: bool = False
) -> AsyncIterator[Assistant]:
    """A started runtime, the checkpointer and the assistant with the offline drafter."""
    runtime = Runtime(settings)
    await runtime.start(scheduler=scheduler, recover=False)
    try:
        async with open_checkpointer(settings) as checkpointer:
            yield Assistant(
                runtime,
                checkpointer,
                workspace_id=workspace_id,
                member_id=member_id,
                drafter=OfflineDrafter(runtime.registry),
            )
    finally:
        await runtime.close()


async def main(
    thread_id: str, member_id: str, workspace_id: str, decision: str, approval_id: str
) -> None:
    """Resume the thread's approval as `member_id` (as a card button would); print the reply."""
    async with open_assistant(Settings(), workspace_id, member_id) as assistant:
        response = ApprovalResponse(
            decision="approve" if decision == "approve" else "reject", approval_id=approval_id
        )
        reply = await assistant.resume(thread_id, response)
    print(reply.model_dump_json())


if __name__ == "__main__":
    _, command, *args = sys.argv
    assert command == "resume", command
    asyncio.run(main(*args))
