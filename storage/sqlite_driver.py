"""SQLAlchemy's aiosqlite driver, with one trip to the connection's thread per statement.

aiosqlite runs each SQLite connection on a thread of its own; every call on it is a trip there
and back (a queue hand-over, a future, the GIL passed to the thread and back). SQLAlchemy's
adapter makes three or four such trips per statement: create a cursor, execute, fetch the rows
(when there are any), close the cursor. Here a statement is one trip: a function run on the
connection's thread creates a cursor, executes, fetches every row, notes the description, row
count and last row id, and closes the cursor. The rows are then read from memory, as the
adapter's own (buffered) cursor does. Errors are the same SQLite errors, translated the same
way. Server-side cursors (`stream`) are left as SQLAlchemy makes them.

`commit` and `rollback` make no trip when SQLite has no transaction open (a connection that only
read: the web side's lookups, the pool's reset of a connection given back after its commit).
SQLite's own `commit`/`rollback` do nothing then; whether one is open is read from the
connection here, as aiosqlite's `in_transaction` does, between statements.

A connection can also be set to make no trip at all (`run_inline`): its statements, commit and
rollback run on the event loop's own thread, for the group writer's short transactions, where
the hand-over to the thread and back costs more than the statement. Such a connection waits for
no lock: SQLite's busy handler is off while it is inline (a lock held elsewhere is an immediate
"database is locked", `is_locked`, and the caller retries with trips, where waiting blocks only
that connection's thread), and it does not checkpoint the WAL itself at commit (the checkpoint
writes and syncs files: `checkpoint` runs one with a trip).

Given to the engine as its DBAPI module (`create_async_engine(..., module=one_trip_dbapi())`).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]
BUSY_TIMEOUT_MS = 30_000  # how long a connection waits for SQLite's lock (storage.db sets it)
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On the connection's thread: execute, fetch everything, close the cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose `execute` is one trip to the connection's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: nothing to open
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._trip(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            return await_(self._trip(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: Any = self._connection  # an aiosqlite.Connection
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        if adapted.inline:
            outcome: _Outcome = _run(connection._conn, operation, parameters, many)
        else:
            async with self._adapt_connection._execute_mutex:
                outcome = await connection._execute(
                    _run, connection._conn, operation, parameters, many
                )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        """Nothing to close: the SQLite cursor was closed on its thread already."""

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapter's connection, handing out `OneTripCursor`s; no trip to end no transaction;
    none at all while `inline`."""

    __slots__ = ("inline",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.inline = False

    def commit(self) -> None:
        if not self._in_transaction():
            return
        if not self.inline:
            super().commit()
            return
        try:
            self._connection._conn.commit()
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        if not self._in_transaction():
            return
        if not self.inline:
            super().rollback()
            return
        try:
            self._connection._conn.rollback()
        except Exception as error:
            self._handle_exception(error)

    def _in_transaction(self) -> bool:
        """Whether SQLite has a transaction open (True when it cannot tell: a closed connection,
        which the adapter's own `commit`/`rollback` handle)."""
        connection: Any = self._connection  # an aiosqlite.Connection
        if connection._connection is None:
            return True
        return bool(connection.in_transaction)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI adapter whose connections are `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


async def run_inline(connection: AsyncConnection, inline: bool) -> bool:
    """Set whether `connection`'s statements run on the event loop's thread (see the module's
    text); True if it is now so. Only SQLite connections of this driver can: others stay as
    they are (False)."""
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if not isinstance(adapted, OneTripConnection):
        return False
    if adapted.inline == inline:
        return inline
    busy, autocheckpoint = (0, 0) if inline else (BUSY_TIMEOUT_MS, AUTOCHECKPOINT_PAGES)
    await _on_thread(adapted, f"PRAGMA busy_timeout={busy}")
    await _on_thread(adapted, f"PRAGMA wal_autocheckpoint={autocheckpoint}")
    adapted.inline = inline
    return inline


async def checkpoint(connection: AsyncConnection) -> None:
    """Copy the WAL's committed pages into the database file (PASSIVE: waits for nobody), on
    the connection's thread even when the connection is inline."""
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if isinstance(adapted, OneTripConnection):
        await _on_thread(adapted, "PRAGMA wal_checkpoint(PASSIVE)")


async def _on_thread(adapted: OneTripConnection, sql: str) -> None:
    connection: Any = adapted._connection  # an aiosqlite.Connection
    async with adapted._execute_mutex:
        await connection._execute(_run, connection._conn, sql, None, False)


def is_locked(error: BaseException) -> bool:
    """Whether `error` is SQLite's "database is locked" (or busy): another connection holds
    the lock it needed."""
    cause = getattr(error, "orig", error)
    return isinstance(cause, sqlite3.OperationalError) and (
        "locked" in str(cause) or "busy" in str(cause)
    )


def one_trip_dbapi() -> OneTripDBAPI:
    """The DBAPI module to give `create_async_engine` for `sqlite+aiosqlite` URLs."""
    return OneTripDBAPI(aiosqlite, sqlite3)
