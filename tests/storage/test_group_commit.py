"""Group commit: writes of the same moment share one transaction; each caller is told only after
its commit, and one caller's failure reaches that caller only (SQLite and PostgreSQL). Rows kept
with `insert_rows` go in one statement per table at the end of the shared transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

from storage.group_commit import GroupWriter, Work, insert_rows
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


@contextmanager
def inserts(engine: AsyncEngine, table: str) -> Iterator[list[int]]:
    """Per INSERT INTO `table` statement issued inside the block: how many rows it carried."""
    seen: list[int] = []

    def on_statement(
        _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool
    ) -> None:
        if statement.startswith(f"INSERT INTO {table} "):
            seen.append(len(params) if many else 1)

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)


_INSERT_OUTBOX = insert(OutboxMessage)
_INSERT_WORKSPACE = insert(Workspace)


async def test_rows_kept_for_the_commit_go_in_one_statement_per_transaction(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine)
    seen_when_told: list[int] = []

    async def one(n: int) -> None:
        key = f"later-{n}"

        async def work(connection: AsyncConnection) -> str:
            await insert_rows(connection, _INSERT_OUTBOX, [outbox_row(key)])
            await connection.execute(insert(AuditLog), [audit_row()])  # not kept: at once
            return key

        assert await writer.write(work) == key
        seen_when_told.append(await count_keys(engine, [key]))

    with inserts(engine, "outbox") as outbox, inserts(engine, "audit_log") as audits:
        try:
            await asyncio.gather(*(one(n) for n in range(40)))
        finally:
            await writer.close()
    assert seen_when_told == [1] * 40  # each caller told after its row was committed
    assert writer.transactions < 40
    # One INSERT per shared transaction carried all of its rows (40 statements without keeping).
    assert len(outbox) == writer.transactions and sum(outbox) == 40
    assert audits == [1] * 40
    assert await count_keys(engine, [f"later-{n}" for n in range(40)]) == 40


async def test_kept_rows_go_in_parent_tables_first(engine: AsyncEngine) -> None:
    """A child row handed in before its parent's row, in the same transaction, still inserts."""
    writer = GroupWriter(engine)
    workspace = Workspace(id=WS_ID, slug="later", name="Later")

    async def child(connection: AsyncConnection) -> None:
        await insert_rows(connection, _INSERT_OUTBOX, [outbox_row("child")])

    async def parent(connection: AsyncConnection) -> None:
        await insert_rows(connection, _INSERT_WORKSPACE, [columns(workspace)])

    try:
        await asyncio.gather(writer.write(child), writer.write(parent))
    finally:
        await writer.close()
    assert writer.transactions == 1
    assert await count_keys(engine, ["child"]) == 1


async def test_a_failing_kept_row_fails_only_its_caller(engine: AsyncEngine) -> None:
    await seed(engine)
    writer = GroupWriter(engine)

    def adding(key: str) -> Work[str]:
        async def work(connection: AsyncConnection) -> str:
            await insert_rows(connection, _INSERT_OUTBOX, [outbox_row(key)])
            await connection.execute(insert(AuditLog), [audit_row()])
            return key

        return work

    try:
        await writer.write(adding("dup"))
        results = await asyncio.gather(
            *(writer.write(adding(k)) for k in ("k-1", "dup", "k-2", "k-3")),
            return_exceptions=True,
        )
    finally:
        await writer.close()
    assert results[0] == "k-1" and results[2:] == ["k-2", "k-3"]
    assert isinstance(results[1], IntegrityError)
    assert await count_keys(engine, ["k-1", "k-2", "k-3", "dup"]) == 4
    async with engine.connect() as connection:  # the failed write's other statement rolled back
        audits = (await connection.execute(select(func.count()).select_from(AuditLog))).scalar()
    assert audits == 4


async def test_rows_are_inserted_at_once_outside_the_writer(engine: AsyncEngine) -> None:
    await seed(engine)
    async with engine.begin() as connection:
        with inserts(engine, "outbox") as outbox:
            await insert_rows(connection, _INSERT_OUTBOX, [outbox_row("now")])
            await insert_rows(connection, _INSERT_OUTBOX, [])
        assert outbox == [1]
        found = select(func.count()).where(OutboxMessage.idempotency_key == "now")  # type: ignore[arg-type]
        assert (await connection.execute(found)).scalar_one() == 1


async def test_a_connection_given_back_after_a_failed_transaction_keeps_no_rows_for_later(
    engine: AsyncEngine,
) -> None:
    """The pool keeps a connection's `info` across check-outs: had the writer given a connection
    back still holding its dead transaction's kept rows, the next session's `insert_rows` on it
    would have handed its rows to that transaction, and they would never be written."""
    await seed(engine)
    writer = GroupWriter(engine)
    holding: list[bool] = []

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        holding.append(any(key.startswith("levqor_rows") for key in record.info))

    def adding(key: str) -> Work[str]:
        async def work(connection: AsyncConnection) -> str:
            await insert_rows(connection, _INSERT_OUTBOX, [outbox_row(key)])
            return key

        return work

    event.listen(engine.sync_engine.pool, "checkin", checked_in)
    try:
        await writer.write(adding("dup"))
        results = await asyncio.gather(
            *(writer.write(adding(k)) for k in ("c-1", "dup")), return_exceptions=True
        )
        await writer.close()
        async with engine.begin() as connection:  # a session's rows go in at once, as they should
            await insert_rows(connection, _INSERT_OUTBOX, [outbox_row("after")])
    finally:
        event.remove(engine.sync_engine.pool, "checkin", checked_in)
    assert results[0] == "c-1" and isinstance(results[1], IntegrityError)
    assert holding and not any(holding)
    assert await count_keys(engine, ["c-1", "dup", "after"]) == 3


async def test_callers_hear_when_the_writer_is_stopped_mid_transaction(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine)
    started, never = asyncio.Event(), asyncio.Event()

    async def stuck(connection: AsyncConnection) -> None:
        await connection.execute(insert(OutboxMessage), [outbox_row("stuck")])
        started.set()
        await never.wait()

    async def queued(connection: AsyncConnection) -> None:
        await connection.execute(insert(OutboxMessage), [outbox_row("queued")])

    first = asyncio.ensure_future(writer.write(stuck))
    await started.wait()
    second = asyncio.ensure_future(writer.write(queued))
    await asyncio.sleep(0)
    assert writer._task is not None
    writer._task.cancel()  # the loop shutting down under it
    done, _ = await asyncio.wait([first, second], timeout=10)
    assert done == {first, second}  # answered, not left waiting forever
    assert first.cancelled() and second.cancelled()
    assert await count_keys(engine, ["stuck", "queued"]) == 0


async def test_with_gather_seconds_writes_of_a_busy_moment_wait_for_one_transaction(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    writer = GroupWriter(engine, gather_seconds=0.3)

    def work(key: str) -> Work[str]:
        async def write(connection: AsyncConnection) -> str:
            await connection.execute(insert(OutboxMessage), [outbox_row(key)])
            return key

        return write

    try:
        loop = asyncio.get_running_loop()
        began = loop.time()
        assert await writer.write(work("quiet")) == "quiet"  # after a quiet spell: at once
        assert loop.time() - began < 0.25 and writer.transactions == 1
        # Busy now: writes handed in one after another within the gather share one transaction.
        later = [asyncio.create_task(writer.write(work(f"busy-{n}"))) for n in range(1)]
        for n in range(1, 4):
            await asyncio.sleep(0.02)
            later.append(asyncio.create_task(writer.write(work(f"busy-{n}"))))
        assert sorted(await asyncio.gather(*later)) == [f"busy-{n}" for n in range(4)]
        assert writer.transactions == 2 and writer.writes == 5
    finally:
        await writer.close()
    assert await count_keys(engine, ["quiet", *(f"busy-{n}" for n in range(4))]) == 5
