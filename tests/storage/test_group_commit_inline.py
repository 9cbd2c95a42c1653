"""On SQLite the group writer's transactions run on the event loop's thread, with no trip to the
connection's thread; a lock held by another process never stops the event loop; the connection
goes back to the pool as every other one is; the WAL is checkpointed with a trip."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_engine
from storage.group_commit import GroupWriter
from storage.models import OutboxMessage
from storage.sqlite_driver import BUSY_TIMEOUT_MS
from tests.conftest import make_settings
from tests.storage.test_group_commit import count_keys, outbox_row, seed


def _count_trips(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every trip to a connection's thread from now on: (function, its arguments…)."""
    trips: list[tuple[Any, ...]] = []
    original: Any = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append((fn, *args))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips


def _add(key: str) -> Any:
    async def work(connection: AsyncConnection) -> str:
        await connection.execute(insert(OutboxMessage), [outbox_row(key)])
        return key

    return work


def _fresh_database(tmp_path: Path, template: Path) -> Path:
    target = tmp_path / "levqor.db"
    shutil.copy(template, target)
    return target


@pytest.fixture
async def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Any:
    target = _fresh_database(tmp_path, sqlite_template)
    engine = create_engine(make_settings(tmp_path, f"sqlite:///{target}"))
    yield engine, target
    await engine.dispose()


async def test_the_writers_transactions_make_no_trip_to_the_connections_thread(
    sqlite_engine: tuple[AsyncEngine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = sqlite_engine
    await seed(engine)
    writer = GroupWriter(engine)
    try:
        assert await writer.write(_add("first")) == "first"  # sets the connection up
        trips = _count_trips(monkeypatch)
        told = await asyncio.gather(*(writer.write(_add(f"k{i}")) for i in range(5)))
        assert told == [f"k{i}" for i in range(5)]
        assert trips == []  # the inserts and the commit ran on the event loop's thread
        assert await count_keys(engine, ["first", *told]) == 6  # committed, seen elsewhere
    finally:
        await writer.close()


async def test_a_lock_held_by_another_process_never_stops_the_event_loop(
    sqlite_engine: tuple[AsyncEngine, Path],
) -> None:
    engine, path = sqlite_engine
    await seed(engine)
    writer = GroupWriter(engine)
    try:
        await writer.write(_add("before"))
        other = sqlite3.connect(path, isolation_level=None)  # as another process would
        other.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        release = asyncio.get_running_loop().call_later(0.6, other.execute, "COMMIT")
        started = asyncio.get_running_loop().time()
        key = await asyncio.wait_for(writer.write(_add("while locked")), 10)
        waited = asyncio.get_running_loop().time() - started
        ticker.cancel()
        release.cancel()
        other.close()
        assert key == "while locked"  # not "database is locked": it waited for the lock
        assert waited >= 0.5  # for the other process's commit
        assert ticks >= 20  # …while the event loop went on (blocked, it would not tick)
        assert await count_keys(engine, ["before", "while locked"]) == 2
        assert await writer.write(_add("after")) == "after"
    finally:
        await writer.close()


async def test_the_connection_goes_back_to_the_pool_waiting_for_locks_again(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _fresh_database(tmp_path, sqlite_template)
    settings = make_settings(tmp_path, f"sqlite:///{target}")
    settings.sqlite_pool_size = 1  # the writer's connection is the one the next caller gets
    engine = create_engine(settings)
    try:
        await seed(engine)
        writer = GroupWriter(engine, keep_seconds=0.05)

        async def pragmas(connection: AsyncConnection) -> tuple[int, int]:
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
            auto = (await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one()
            return int(busy), int(auto)

        assert await writer.write(pragmas) == (0, 0)  # inline: waits for nothing, no checkpoint
        await writer.close()
        trips = _count_trips(monkeypatch)
        async with engine.connect() as connection:
            assert await pragmas(connection) == (BUSY_TIMEOUT_MS, 1000)
            assert len(trips) == 2  # statements make their trip again
    finally:
        await engine.dispose()


async def test_after_a_failed_transaction_the_connection_goes_back_waiting_for_locks(
    tmp_path: Path, sqlite_template: Path
) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{_fresh_database(tmp_path, sqlite_template)}")
    settings.sqlite_pool_size = 1  # the writer's connection is the one the next caller gets
    engine = create_engine(settings)
    writer = GroupWriter(engine)
    try:
        await seed(engine)
        await writer.write(_add("once"))
        with pytest.raises(IntegrityError):  # the same idempotency key again
            await writer.write(_add("once"))
        async with engine.connect() as connection:  # given back at the failure, not at close
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
            auto = (await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one()
        assert (busy, auto) == (BUSY_TIMEOUT_MS, 1000)
        assert await writer.write(_add("after")) == "after"  # inline again on a fresh check-out
    finally:
        await writer.close()
        await engine.dispose()


async def test_the_wal_is_checkpointed_with_a_trip_every_few_transactions(
    sqlite_engine: tuple[AsyncEngine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = sqlite_engine
    await seed(engine)
    writer = GroupWriter(engine, checkpoint_every=2)
    await writer.write(_add("setup"))
    trips = _count_trips(monkeypatch)
    for i in range(5):
        await writer.write(_add(f"c{i}"))
    await writer.close()  # waits for a checkpoint under way
    checkpoints = [t for t in trips if "wal_checkpoint" in str(t)]
    assert 1 <= len(checkpoints) <= 3  # after the 2nd, 4th, 6th transaction, one at a time
    assert not [t for t in trips if "INSERT" in str(t)]  # the writes themselves made none
    assert await count_keys(engine, ["setup", *(f"c{i}" for i in range(5))]) == 6
