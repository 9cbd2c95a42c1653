"""Executes one run in its own process (the crash-recovery test SIGKILLs it mid-run)."""

from __future__ import annotations

import asyncio
import sys

from storage.config import Settings
from workflows.runtime import Runtime


async def main(run_id: str) -> None:
    """Run `run_id` with settings from the environment."""
    runtime = Runtime(Settings())
    try:
        await runtime.engine.execute(run_id)
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
