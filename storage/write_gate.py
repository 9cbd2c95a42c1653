"""One writer at a time per process on SQLite, queued in order, instead of SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the lock taken sleeps in its
busy handler (1, 2, 5, … up to 100 ms a try) and wakes late, long after the writer committed: under
load that is most of a run's time and all of the long tail. The gate makes a connection that is
about to write wait its turn on an `asyncio.Lock` instead (woken the moment the writer commits or
rolls back). A connection that waits longer than `patience` writes anyway, falling back to the
busy handler, so code that writes from two sessions at once can never deadlock on the gate.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

log = logging.getLogger(__name__)
_WRITES = ("insert", "update", "delete", "replace")
_HELD = "levqor_write_gate"


class WriteGate:
    """Installed on an async SQLite engine with `install(engine)`."""

    def __init__(self, patience: float = 2.0) -> None:
        self.patience = patience
        self.waiting = 0  # connections queued for their turn to write
        self._lock: asyncio.Lock | None = None

    def install(self, engine: AsyncEngine) -> None:
        """Hook the engine's statements, its dialect's commit and rollback (the turn ends once
        SQLite has committed: the engine's own commit event comes before that, and the next
        writer woken then could find the lock still held), and pool returns."""
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before_execute)
        event.listen(sync.pool, "reset", self._reset)
        event.listen(sync.pool, "close", self._closed)
        dialect = sync.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._end(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._end(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    def _before_execute(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_HELD) or not statement.lstrip()[:7].lower().startswith(_WRITES):
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        self.waiting += 1
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), self.patience))
        except TimeoutError:
            log.debug("waited %.1fs for the write gate; writing without it", self.patience)
            return
        finally:
            self.waiting -= 1
        conn.info[_HELD] = True

    def _end(self, dbapi_connection: Any) -> None:
        try:
            info = dbapi_connection.info  # the pool's record of the connection
        except Exception:  # an invalidated connection: the pool's reset or close lets go
            return
        self._let_go(info)

    def _reset(self, _dbapi: Any, record: Any, _state: Any) -> None:
        self._let_go(record.info)

    def _closed(self, _dbapi: Any, record: Any) -> None:
        self._let_go(record.info)

    def _let_go(self, info: dict[Any, Any]) -> None:
        if info.pop(_HELD, False) and self._lock is not None and self._lock.locked():
            self._lock.release()
