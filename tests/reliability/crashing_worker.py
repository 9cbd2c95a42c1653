"""A Levqor worker whose registry has `test.crash`: an action that kills its own process.

It takes over runs left unfinished (as `levqor serve` does at start), executes them, and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal

from integrations.base import Action, ActionContext, Risk
from integrations.catalog import default_registry
from integrations.registry import ActionRegistry
from storage.config import Settings
from tests.workflows.helpers import Note, Noted
from workflows.runtime import Runtime


async def crash(_ctx: ActionContext, _inp: Note) -> Noted:
    """Die at once, as a segfault or the out-of-memory killer would end a process."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def registry() -> ActionRegistry:
    """Every built-in action, plus `test.crash`."""
    crashing = Action("test.crash", "kill this process", Risk.internal, Note, Noted, crash)
    return ActionRegistry([*default_registry().actions(), crashing])


async def main() -> None:
    """Take over what is left, run it, stop."""
    runtime = Runtime(Settings(), registry())
    await runtime.start(scheduler=False)
    try:
        await runtime.drain()
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
