"""SQLite statements make one trip to the connection's thread, with the same results as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import exc, text

from storage.db import create_engine
from tests.conftest import make_settings


def _count_trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    trips: list[Any] = []
    original: Any = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips


async def test_a_statement_is_one_trip_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(make_settings(tmp_path, f"sqlite:///{tmp_path / 'trips.db'}"))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        trips = _count_trips(monkeypatch)
        async with engine.connect() as connection:
            trips.clear()  # (the check-out's own calls aside)
            await connection.execute(text("INSERT INTO t (name) VALUES ('a')"))
            assert len(trips) == 1  # SQLAlchemy's own adapter: cursor, execute, close: 3
            inserted = await connection.execute(
                text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
            )
            assert inserted.rowcount == 2
            trips.clear()
            rows = (await connection.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
            assert len(trips) == 1  # SQLAlchemy's own adapter: cursor, execute, fetch, close: 4
            assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]
            changed = await connection.execute(text("UPDATE t SET name = 'z' WHERE id > 1"))
            assert changed.rowcount == 2
            empty = await connection.execute(text("SELECT name FROM t WHERE id = 99"))
            assert list(empty.keys()) == ["name"] and empty.first() is None
            last = await connection.exec_driver_sql("INSERT INTO t (name) VALUES ('d')")
            assert last.lastrowid == 4
            returned = await connection.execute(
                text("UPDATE t SET name = 'y' WHERE id = 4 RETURNING id, name")
            )
            assert [tuple(r) for r in returned] == [(4, "y")]
            await connection.commit()
            with pytest.raises(exc.IntegrityError):
                await connection.execute(text("INSERT INTO t (id, name) VALUES (1, 'again')"))
            await connection.rollback()
        async with engine.connect() as connection:  # a server-side (streamed) result still works
            streamed = await connection.stream(text("SELECT name FROM t ORDER BY id"))
            assert [row[0] async for row in streamed] == ["a", "z", "z", "y"]
    finally:
        await engine.dispose()


async def test_ending_no_transaction_makes_no_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection that only read: its commit and the pool's reset on check-in make no trip;
    after a write, commit and rollback do as before."""
    engine = create_engine(make_settings(tmp_path, f"sqlite:///{tmp_path / 'ends.db'}"))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        async with engine.connect():  # the pool's connection, opened (its pragmas' trips aside)
            pass
        trips = _count_trips(monkeypatch)
        async with engine.connect() as connection:
            await connection.execute(text("SELECT count(*) FROM t"))
            await connection.commit()
        assert len(trips) == 1  # the SELECT; SQLAlchemy's adapter: + commit, + reset's rollback
        trips.clear()
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t (name) VALUES ('kept')"))
            await connection.commit()
            await connection.execute(text("INSERT INTO t (name) VALUES ('undone')"))
            await connection.rollback()
            await connection.execute(text("INSERT INTO t (name) VALUES ('dropped')"))
        assert len(trips) == 6  # 3 INSERTs, the commit, the rollback, the check-in's rollback
        async with engine.connect() as connection:
            names = (await connection.execute(text("SELECT name FROM t"))).scalars().all()
        assert names == ["kept"]
    finally:
        await engine.dispose()
