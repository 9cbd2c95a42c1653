"""The functions persisted scheduler jobs point at, and the handler they dispatch to.

APScheduler's job store pickles a job's callable as the text `module:function`, so a job
survives restarts only if it names a module-level function, never a bound method or a closure.
`fire_workflow` is that stable target; they forward to whichever `FireHandler` the running
`WorkflowScheduler` registered (one per process), and log and skip when none is registered.

`FireTimeExecutor` hands each fire the time it was scheduled for (not the time it ran), so that
a run can be keyed on workflow + fire time: a scheduler that takes over from a dead one and
fires the same time again finds the run already recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Protocol

from apscheduler.executors.asyncio import AsyncIOExecutor

log = logging.getLogger(__name__)

FIRE_WORKFLOW_REF = "workflows.jobs:fire_workflow"


class FireHandler(Protocol):
    """What the app does when a job fires."""

    async def fire(self, workflow_id: str, fire_time: datetime | None = None) -> None:
        """Start a run of the workflow's active version (poll triggers poll their feed here)."""


_fire_time: ContextVar[datetime | None] = ContextVar("levqor_fire_time", default=None)


class FireTimeExecutor(AsyncIOExecutor):  # type: ignore[misc]
    """APScheduler's asyncio executor, telling each job the time it was scheduled for."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        # The job's task copies the current context when it is created, inside this call.
        token = _fire_time.set(run_times[-1] if run_times else None)
        try:
            super()._do_submit_job(job, run_times)
        finally:
            _fire_time.reset(token)


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
    await _shielded(handler.fire(workflow_id, _fire_time.get()))


async def _shielded(call: Coroutine[Any, Any, None]) -> None:
    # APScheduler's asyncio executor cancels running jobs on shutdown. A fire half-way through
    # starting a run should finish instead, so it runs in its own task that shutdown drains.
    task = asyncio.create_task(call)
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)
    await asyncio.shield(task)
