"""One active scheduler among many processes: a PostgreSQL advisory lock names the leader.

Every process that may schedule (`levqor scheduler`, `levqor serve --role all`) tries the lock
with `pg_try_advisory_lock` on a connection of its own. The one that gets it leads: it starts
the workflow scheduler and the wait clock. The others stand by and try again every
`LEVQOR_LEADER_POLL_SECONDS`. The lock lives as long as the leader's connection: when the
leader dies (even SIGKILL), PostgreSQL ends its session and frees the lock, and a standby leads
within a poll. A leader whose connection breaks steps down at its next check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

log = logging.getLogger(__name__)

LOCK_KEY = 0x1E7C05C4  # the scheduler's advisory lock (one per database)
Transition = Callable[[], Awaitable[None]]


class SchedulerLeader:
    """Takes the lead when it can (`lead`), gives it up when its lock is gone (`step_down`)."""

    def __init__(
        self, url: str, lead: Transition, step_down: Transition, *, poll_seconds: float = 1.0
    ) -> None:
        self._url = url
        self._lead = lead
        self._step_down = step_down
        self._poll = poll_seconds
        self._conn: psycopg.AsyncConnection[tuple[Any, ...]] | None = None
        self._task: asyncio.Task[None] | None = None
        self.leading = False

    async def start(self) -> bool:
        """Try once now (leading before this returns if the lock is free), then keep trying."""
        await self._attempt()
        self._task = asyncio.create_task(self._loop(), name="levqor-scheduler-leader")
        if not self.leading:
            log.info("another process is the active scheduler; standing by")
        return self.leading

    async def close(self) -> None:
        """Stop trying; a leader steps down and frees the lock."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leading:
            self.leading = False
            await self._step_down()
        await self._disconnect()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            try:
                if self.leading:
                    await self._check()
                else:
                    await self._attempt()
            except Exception:
                log.exception("the scheduler's leader check failed; trying again")

    async def _attempt(self) -> None:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, connect_timeout=5
                )
            cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            row = await cursor.fetchone()
        except psycopg.Error as exc:
            log.warning("could not try the scheduler lock (%s); standing by", exc)
            await self._disconnect()
            return
        if row is not None and row[0]:
            log.info("this process is now the active scheduler")
            self.leading = True
            try:
                await self._lead()
            except BaseException:
                self.leading = False
                await self._disconnect()  # frees the lock for another process
                raise

    async def _check(self) -> None:
        """Still holding the lock? A broken connection means another process may lead now."""
        try:
            assert self._conn is not None
            await asyncio.wait_for(self._conn.execute("SELECT 1"), timeout=max(self._poll, 2))
            return
        except (psycopg.Error, TimeoutError, AssertionError) as exc:
            log.warning("lost the scheduler lock's connection (%s); stepping down", exc)
        self.leading = False
        await self._disconnect()
        await self._step_down()

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
