"""Group commit: writes of the same moment share one transaction; each caller is told only after
its commit, and one caller's failure reaches that caller only (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

from storage.group_commit import GroupWriter
from storage.models import AuditLog, OutboxMessage, Workspace


def columns(row: SQLModel) -> dict[str, Any]:
    """Every column of a model instance (its defaults filled in), for a Core INSERT."""
    return {c.name: getattr(row, c.name) for c in row.__table__.columns}  # type: ignore[attr-defined]


def outbox_row(key: str) -> dict[str, Any]:
    row = OutboxMessage(workspace_id=WS_ID, channel="email", target="a@example.com", body=key)
    row.idempotency_key = key
    return columns(row)


def audit_row() -> dict[str, Any]:
    values = columns(AuditLog(workspace_id=WS_ID, action="test.write"))
    del values["id"]  # the database numbers it
    return values


WS_ID = "w" * 32


async def seed(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        workspace = Workspace(id=WS_ID, slug="gc", name="GC")
        await connection.execute(insert(Workspace), [columns(workspace)])


async def count_keys(engine: AsyncEngine, keys: list[str]) -> int:
    """How many of these keys another connection sees committed."""
    async with engine.connect() as connection:
        query = select(func.count()).where(OutboxMessage.idempotency_key.in_(keys))  # type: ignore[union-attr]
        return int((await connection.execute(query)).scalar_one())


async def test_writes_of_the_same_moment_share_a_transaction_and_are_committed_when_told(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine)
    seen_when_told: list[int] = []

    async def one(n: int) -> None:
        key = f"gc-{n}"

        async def work(connection: AsyncConnection) -> str:
            await connection.execute(insert(OutboxMessage), [outbox_row(key)])
            return key

        assert await writer.write(work) == key
        # Told: another connection sees this caller's row (it was committed before the answer).
        seen_when_told.append(await count_keys(engine, [key]))

    try:
        await asyncio.gather(*(one(n) for n in range(40)))
    finally:
        await writer.close()
    assert seen_when_told == [1] * 40
    assert writer.writes == 40
    assert writer.transactions < 40  # shared: 40 writes handed in together, far fewer commits
    assert await count_keys(engine, [f"gc-{n}" for n in range(40)]) == 40


async def test_a_failing_write_fails_only_its_caller(engine: AsyncEngine) -> None:
    await seed(engine)
    writer = GroupWriter(engine)

    def adding(key: str) -> object:
        async def work(connection: AsyncConnection) -> None:
            await connection.execute(insert(OutboxMessage), [outbox_row(key)])
            await connection.execute(insert(AuditLog), [audit_row()])

        return work

    try:
        await writer.write(adding("dup"))  # type: ignore[arg-type]
        results = await asyncio.gather(
            *(writer.write(adding(k)) for k in ("a-1", "dup", "a-2", "a-3")),  # type: ignore[arg-type]
            return_exceptions=True,
        )
    finally:
        await writer.close()
    assert [isinstance(r, IntegrityError) for r in results] == [False, True, False, False]
    assert await count_keys(engine, ["a-1", "a-2", "a-3", "dup"]) == 4
    async with engine.connect() as connection:  # the failed write left nothing half-done
        audits = (await connection.execute(select(func.count()).select_from(AuditLog))).scalar()
    assert audits == 4


async def test_a_closed_writer_writes_what_was_queued_and_refuses_more(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine)

    async def work(connection: AsyncConnection) -> None:
        await connection.execute(insert(OutboxMessage), [outbox_row("last")])

    pending = asyncio.ensure_future(writer.write(work))
    await asyncio.sleep(0)
    await writer.close()
    await pending
    assert await count_keys(engine, ["last"]) == 1
    with pytest.raises(RuntimeError):
        await writer.write(work)


async def test_the_writer_keeps_its_connection_while_writes_come_and_gives_it_back(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine, keep_seconds=0.3)
    pool = engine.sync_engine.pool
    moves: list[str] = []
    event.listen(pool, "checkout", lambda *_: moves.append("out"))
    event.listen(pool, "checkin", lambda *_: moves.append("in"))

    async def one(key: str) -> None:
        values = outbox_row(key)

        async def work(connection: AsyncConnection) -> None:
            await connection.execute(insert(OutboxMessage), [values])

        await writer.write(work)

    for n in range(5):  # one after another: five transactions on one connection
        await one(f"keep-{n}")
    assert writer.transactions == 5 and moves == ["out"]
    await asyncio.sleep(0.6)  # idle past `keep_seconds`: given back
    assert moves == ["out", "in"]
    await one("dup")
    with pytest.raises(IntegrityError):  # a failed transaction gives its connection back
        await one("dup")
    assert moves == ["out", "in", "out", "in"]
    await one("keep-5")
    await writer.close()
    assert moves == ["out", "in", "out", "in", "out", "in"]
    assert await count_keys(engine, [f"keep-{n}" for n in range(6)] + ["dup"]) == 7
