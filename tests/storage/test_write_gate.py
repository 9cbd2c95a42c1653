"""SQLite writers take turns on the write gate (not in the busy handler) and never deadlock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.write_gate import WriteGate


async def gated(tmp_path: Path, patience: float) -> tuple[AsyncEngine, WriteGate]:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}", connect_args={"timeout": 0.2}
    )
    gate = WriteGate(patience=patience)
    gate.install(engine)
    async with engine.begin() as conn:
        await conn.execute(text("PRAGMA journal_mode=WAL"))
        await conn.execute(text("CREATE TABLE note (n INTEGER)"))
    return engine, gate


async def test_a_second_writer_waits_its_turn_and_then_writes(tmp_path: Path) -> None:
    engine, gate = await gated(tmp_path, patience=10)
    try:
        async with engine.connect() as first:
            await first.execute(text("INSERT INTO note VALUES (1)"))

            async def second() -> None:
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO note VALUES (2)"))

            waiting = asyncio.create_task(second())
            # Longer than SQLite's own 0.2 s busy timeout: without the gate the second writer
            # would have failed with "database is locked" by now.
            await asyncio.sleep(0.5)
            assert gate.waiting == 1 and not waiting.done()
            await first.commit()
            await asyncio.wait_for(waiting, 5)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT n FROM note ORDER BY n"))).scalars().all()
        assert rows == [1, 2] and gate.waiting == 0
    finally:
        await engine.dispose()


async def test_a_rolled_back_writer_lets_the_next_one_go(tmp_path: Path) -> None:
    engine, _ = await gated(tmp_path, patience=10)
    try:
        for n in range(3):
            async with engine.connect() as conn:
                await conn.execute(text(f"INSERT INTO note VALUES ({n})"))
                await conn.rollback()  # each turn ends: the next connection is not held up
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO note VALUES (9)"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT n FROM note"))).scalars().all() == [9]
    finally:
        await engine.dispose()


async def test_past_its_patience_a_writer_goes_on_without_the_gate(tmp_path: Path) -> None:
    engine, _ = await gated(tmp_path, patience=0.1)
    try:
        async with engine.connect() as first:
            await first.execute(text("INSERT INTO note VALUES (1)"))
            # The same task writes again on another connection before committing the first:
            # the gate gives up waiting, and SQLite reports the lock (no hang on the gate).
            with pytest.raises(OperationalError, match="database is locked"):
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO note VALUES (2)"))
            await first.commit()
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO note VALUES (3)"))
    finally:
        await engine.dispose()


async def test_a_writers_turn_lasts_until_sqlite_has_committed(tmp_path: Path) -> None:
    """The turn used to end at the engine's commit event, which comes before SQLite commits: the
    next writer, woken then, could find SQLite's lock still held and fail under load with
    'database is locked'. It ends once the dialect's commit has returned."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    dialect = engine.sync_engine.dialect
    commit = dialect.do_commit
    held_while_committing: list[bool] = []
    gate = WriteGate(patience=10)

    def spying_commit(dbapi_connection: Any) -> None:  # SQLite's own commit, observed
        lock = gate._lock  # the turn is the gate's lock
        held_while_committing.append(lock is not None and lock.locked())
        commit(dbapi_connection)

    dialect.do_commit = spying_commit  # type: ignore[method-assign]
    gate.install(engine)  # the gate wraps the commit being spied on
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE note (n INTEGER)"))
        held_while_committing.clear()
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO note VALUES (1)"))
        assert held_while_committing == [True]
        assert gate._lock is not None and not gate._lock.locked()  # and then it ended
    finally:
        await engine.dispose()
