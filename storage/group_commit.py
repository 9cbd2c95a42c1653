"""Group commit: writes handed in within the same moment share one transaction.

Each caller hands `GroupWriter.write` a function that issues its statements on a connection; the
writer runs every function queued while the previous transaction was committing (and those queued
in the same turn of the event loop) in one transaction, commits once, and only then tells each
caller its result. A caller is never told before its writes are committed.

If anything in a shared transaction fails, it is rolled back and every function of it is run
again in a transaction of its own, so one caller's error (a duplicate idempotency key) reaches
that caller only and nobody else's writes are lost. A function must therefore only write to the
database (no side effects outside it) and be safe to run again after a rollback.

One writer task per process writes these transactions one after another, on one connection at a
time: on SQLite (WAL) that is the single writer SQLite allows, without the busy handler's naps
between the engine's own writers. The writer keeps its connection between transactions while
writes keep coming (no pool check-out, and no reset on check-in, per transaction) and gives it
back after `keep_seconds` without any, after a failed transaction and when closed.

Rows written with `insert_rows` (new rows that nothing else in the transaction reads or changes:
runs, step rows, timeline events) are not inserted one write at a time: all of a shared
transaction's rows for the same statement go in one `executemany` at its end, before the commit
(parent tables first), so a transaction of 70 writes costs a few statements instead of 70 trips
to the database connection's thread.

Work that several writes of a transaction share (jobs of the run queue naming several new runs)
is kept with `at_end` and done once at its end, after the rows, before the commit.

With `gather_seconds` (a web node on the run queue) transactions begin at least that far apart
while writes keep coming: the deliveries of those moments share one transaction, so their runs
go to the workers in fewer jobs of several runs (each job costs a fetch, a finish and a load
on a worker, and its own rows and triggers in PostgreSQL). A write after a quiet spell longer
than that is not held.

On SQLite the writer's connection makes no trips at all while it writes (`run_inline`): its
statements and commit run on the event loop's thread, which under load costs a third of what the
hand-over to the connection's thread and back does. It waits for no lock there: if another
process (or a connection past the write gate's patience) holds SQLite's write lock, the
transaction fails at once with "database is locked", is rolled back, and is run again with trips,
waiting for the lock on the connection's thread while the event loop goes on. Every
`checkpoint_every` transactions the WAL is copied into the database file on another connection,
with a trip, beside the writer (SQLite's own checkpoint at commit would write and sync files on
the event loop's thread, and hold up the writer's next transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Insert, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.sqlite_driver import checkpoint, is_locked, run_inline

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[AsyncConnection], Awaitable[T]]
# Done once at the end of a transaction for the items its writes kept (`at_end`).
AtEnd = Callable[[AsyncConnection, list[Any]], Awaitable[None]]
WRITER_KEY = "levqor_group_writer"  # a session's `info` key: the runtime's writer
_LATER_KEY = "levqor_rows_later"  # a connection's `info` key: rows inserted at the commit


async def insert_rows(
    connection: AsyncConnection, statement: Insert, rows: Sequence[Mapping[str, Any]]
) -> None:
    """INSERT `rows` with `statement` (a plain INSERT of one table, no RETURNING).

    In a group writer's transaction the rows are kept and inserted at its end, before the
    commit, in one `executemany` with every other write's rows for the same statement (the
    same object: build it once); a failure there fails the transaction like any statement.
    Elsewhere (a session's connection, no writer) they are inserted at once. Only for new rows
    that nothing later in the same transaction reads or changes."""
    if not rows:
        return
    later: _Later | None = connection.info.get(_LATER_KEY)
    if later is None:
        await connection.execute(statement, list(rows))
    else:
        later.add(statement, rows)


async def at_end(connection: AsyncConnection, finish: AtEnd, item: Any) -> None:
    """`finish(connection, items)` for `item`: in a group writer's transaction once at its end
    (after the rows of `insert_rows`, before the commit) with every item other writes of the
    transaction kept for the same `finish`; elsewhere at once, for this item alone. A failure
    there fails the transaction like any statement."""
    later: _Later | None = connection.info.get(_LATER_KEY)
    if later is None:
        await finish(connection, [item])
    else:
        later.ends.setdefault(finish, []).append(item)


class _Later:
    """What one transaction's writes left for its end: the rows `insert_rows` kept, by
    statement (and column names), and the items kept for each `at_end` function."""

    def __init__(self) -> None:
        self.rows: dict[tuple[Insert, tuple[str, ...]], list[Mapping[str, Any]]] = {}
        self.ends: dict[AtEnd, list[Any]] = {}

    def add(self, statement: Insert, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:  # rows of one executemany must name the same columns
            self.rows.setdefault((statement, tuple(row)), []).append(row)

    async def insert(self, connection: AsyncConnection) -> None:
        """One statement per table (and column set), parent tables before their children; then
        each `at_end` function once with its items."""
        batches, self.rows = self.rows, {}
        for (statement, _), rows in sorted(batches.items(), key=lambda kv: _rank(kv[0][0])):
            await connection.execute(statement, rows)
        ends, self.ends = self.ends, {}
        for finish, items in ends.items():
            await finish(connection, items)


def _rank(statement: Insert) -> int:
    table = statement.table
    return _table_order(table) if isinstance(table, Table) else 0


@cache
def _table_order(table: Table) -> int:
    """The table's place in its metadata's dependency order (foreign keys point earlier)."""
    return table.metadata.sorted_tables.index(table)


class GroupWriter:
    """Batches writes into shared transactions; `close()` writes what is queued, then stops."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 256,
        keep_seconds: float = 1.0,
        checkpoint_every: int = 64,
        gather_seconds: float = 0.0,
    ) -> None:
        self._engine = engine
        self.gather_seconds = gather_seconds
        self._began = -1e9  # the event loop's time the last transaction began
        self.max_batch = max_batch
        self.keep_seconds = keep_seconds
        self.checkpoint_every = checkpoint_every
        self._inline_commits = 0  # since the last checkpoint
        self._checkpointing: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None  # kept between transactions
        self._queue: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.transactions = 0  # committed transactions (a measure of the batching)
        self.writes = 0  # functions committed

    async def write(self, work: Work[T]) -> T:
        """Run `work` in a shared transaction; return its result once that has committed."""
        if self._closed:
            raise RuntimeError("the group writer is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="levqor-group-writer")
        return await future

    async def close(self) -> None:
        """Write whatever is queued, then stop the writer task."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        checkpointing, self._checkpointing = self._checkpointing, None
        if checkpointing is not None:
            await checkpointing

    async def _loop(self) -> None:
        batch: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        try:
            while True:
                await self._idle()
                self._wake.clear()
                await asyncio.sleep(0)  # writers of this same turn of the loop join the batch
                await self._gather()
                while self._queue:
                    batch = self._queue[: self.max_batch]
                    self._queue = self._queue[self.max_batch :]
                    await self._flush(batch)
                    batch = []
                    self._checkpoint_now_and_then()
                if self._closed:
                    return
        except BaseException:
            # Stopped from outside (the task cancelled): its callers hear so instead of waiting
            # for an answer that will not come; whether an interrupted commit stood is unknown.
            for _, future in (*batch, *self._queue):
                future.cancel()
            self._queue = []
            raise
        finally:
            await self._let_go()

    async def _gather(self) -> None:
        """With `gather_seconds`: wait until that long after the last transaction began (busy:
        more writes join this one), or not at all after a quiet spell."""
        if not self.gather_seconds:
            return
        loop = asyncio.get_running_loop()
        wait = self._began + self.gather_seconds - loop.time()
        if wait > 0 and len(self._queue) < self.max_batch:
            await asyncio.sleep(wait)
        self._began = loop.time()

    async def _idle(self) -> None:
        """Wait for writes; give the connection back if none come for `keep_seconds`."""
        if self._wake.is_set():
            return
        if self._connection is not None:
            try:
                async with asyncio.timeout(self.keep_seconds):
                    await self._wake.wait()
                return
            except TimeoutError:
                await self._let_go()
        await self._wake.wait()

    async def _let_go(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:  # back to the pool as every other connection is: trips, busy handler, checkpoints
            await run_inline(connection, False)
        except Exception:
            await connection.invalidate()
        await connection.close()

    def _checkpoint_now_and_then(self) -> None:
        """Every `checkpoint_every` inline transactions, a checkpoint on a connection of its own,
        beside the writer (PASSIVE: it waits for nobody, and nobody waits for it)."""
        if self._inline_commits < self.checkpoint_every:
            return
        if self._checkpointing is not None and not self._checkpointing.done():
            return  # one at a time: the next transaction asks again
        self._inline_commits = 0
        self._checkpointing = asyncio.create_task(self._checkpoint(), name="levqor-checkpoint")

    async def _checkpoint(self) -> None:
        try:
            async with self._engine.connect() as connection:
                await checkpoint(connection)
        except Exception as exc:  # a later one will do; nothing is lost by skipping one
            log.warning("WAL checkpoint failed: %s", exc)

    async def _flush(self, batch: list[tuple[Work[Any], asyncio.Future[Any]]]) -> None:
        try:
            results = await self._transaction([work for work, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            log.debug("a shared transaction of %d writes failed (%s); one by one", len(batch), exc)
            for item in batch:  # each alone: the failing one fails only its own caller
                await self._flush([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)

    async def _transaction(self, works: list[Work[Any]]) -> list[Any]:
        try:
            return await self._attempt(works, inline=True)
        except Exception as exc:
            if not is_locked(exc):
                raise
            log.debug("SQLite's write lock is held elsewhere; waiting for it off the loop")
            return await self._attempt(works, inline=False)

    async def _attempt(self, works: list[Work[Any]], *, inline: bool) -> list[Any]:
        if self._connection is None:
            self._connection = await self._engine.connect()
        connection = self._connection
        inline = await run_inline(connection, inline)
        info, later = connection.info, _Later()
        info[_LATER_KEY] = later  # `insert_rows` in these works keeps its rows for the end
        try:
            async with connection.begin():
                results = [await work(connection) for work in works]
                await later.insert(connection)
        except BaseException:
            # The pool's record of the connection outlives this check-out: forget the kept rows
            # before giving it back, or the next session's `insert_rows` on it would hand its
            # rows to this dead transaction, never to be written.
            info.pop(_LATER_KEY, None)
            await asyncio.shield(self._let_go())  # after a failure: a fresh connection next time
            raise
        finally:
            info.pop(_LATER_KEY, None)
        self.transactions += 1
        self.writes += len(works)
        self._inline_commits += inline
        return results


def _settle(
    future: asyncio.Future[Any], *, result: Any = None, exception: BaseException | None = None
) -> None:
    if future.done():  # its caller was cancelled meanwhile: the write stands all the same
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)
