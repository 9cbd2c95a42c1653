"""The daily retention purge, run by the process that runs the scheduler (`LEVQOR_PURGE_HOUR`)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.purge import Purger
from agents.checkpoint import open_checkpointer
from storage.config import Settings
from storage.types import utcnow

log = logging.getLogger(__name__)


def next_purge(now: datetime, hour: int) -> datetime:
    """The next time it is `hour`:00 UTC, strictly after `now`."""
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


async def purge_now(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> int:
    """One purge of every workspace, conversations included; returns how much went."""
    async with open_checkpointer(settings) as checkpointer:
        results = await Purger(settings, sessions, checkpointer=checkpointer).purge()
    return sum(r.counts.total for r in results)


class PurgeClock:
    """Sleeps until the purge hour, purges, and again the next day; a failed purge is logged and
    retried the next day (the purge is resumable, so nothing is lost by stopping halfway)."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the daily loop on the running event loop."""
        self._task = asyncio.create_task(self._loop(), name="levqor-retention-purge")

    async def close(self) -> None:
        """Stop the loop (a purge in progress stops between statements; the next one resumes)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            now = utcnow()
            await asyncio.sleep((next_purge(now, self.settings.purge_hour) - now).total_seconds())
            try:
                removed = await purge_now(self.settings, self.sessions)
                log.info("retention purge removed %d records", removed)
            except Exception:
                log.exception("retention purge failed; it resumes at the next purge")
