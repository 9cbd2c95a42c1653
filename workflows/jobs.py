"""The functions persisted scheduler jobs point at, and the handler they dispatch to.

APScheduler's job store pickles a job's callable as the text `module:function`, so a job
survives restarts only if it names a module-level function, never a bound method or a closure.
`fire_workflow` is that stable target; they forward to whichever `FireHandler` the running
`WorkflowScheduler` registered (one per process), and log and skip when none is registered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

log = logging.getLogger(__name__)

FIRE_WORKFLOW_REF = "workflows.jobs:fire_workflow"


class FireHandler(Protocol):
    """What the app does when a job fires."""

    async def fire(self, workflow_id: str) -> None:
        """Start a run of the workflow's active version (poll triggers poll their feed here)."""


_handler: FireHandler | None = None
_in_flight: set[asyncio.Task[None]] = set()


def register_handler(handler: FireHandler) -> None:
    """Make `handler` the target of fired jobs; refuses a second, different one."""
    global _handler
    if _handler is not None and _handler is not handler:
        raise RuntimeError("another WorkflowScheduler is already running in this process")
    _handler = handler


def unregister_handler(handler: FireHandler) -> None:
    """Forget `handler` (if it is the registered one): later fires are logged and skipped."""
    global _handler
    if _handler is handler:
        _handler = None


async def drain(within: float) -> int:
    """Wait up to `within` seconds for dispatched fires to finish; return how many did not."""
    pending = {task for task in _in_flight if not task.done()}
    if not pending:
        return 0
    _done, still_running = await asyncio.wait(pending, timeout=within)
    return len(still_running)


async def fire_workflow(workflow_id: str) -> None:
    """Job target for `wf:{workflow_id}`: start a run of the workflow."""
    handler = _handler
    if handler is None:
        log.warning("workflow %s fired with no scheduler handler registered; skipped", workflow_id)
        return
    await _shielded(handler.fire(workflow_id))


async def _shielded(call: Coroutine[Any, Any, None]) -> None:
    # APScheduler's asyncio executor cancels running jobs on shutdown. A fire half-way through
    # starting a run should finish instead, so it runs in its own task that shutdown drains.
    task = asyncio.create_task(call)
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)
    await asyncio.shield(task)
