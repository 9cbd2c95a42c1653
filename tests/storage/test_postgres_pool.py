"""PostgreSQL's pool keeps the connections a busy moment opened: the next busy moment reuses
them instead of opening (and closing) one per request, and it opens no more than before."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import PG_POOL_SIZE, create_engine
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


async def burst(engine: AsyncEngine, size: int) -> None:
    """`size` connections held at once, then all handed back."""
    gate = asyncio.Event()

    async def hold() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await gate.wait()

    holders = [asyncio.create_task(hold()) for _ in range(size)]
    await asyncio.sleep(0.3)
    gate.set()
    await asyncio.gather(*holders)


async def test_a_second_burst_of_sessions_opens_no_connection(
    tmp_path: Path, pg_database: str
) -> None:
    engine = create_engine(make_settings(tmp_path, pg_database))
    opened: list[Any] = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))
    try:
        for _ in range(2):  # 24 at once, as 32 webhook senders keep a web node's pool busy
            await burst(engine, 24)
        assert len(opened) == 24  # the second burst reused every one (before: 14 more)
    finally:
        await engine.dispose()


async def test_the_pool_opens_no_more_connections_than_before(
    tmp_path: Path, pg_database: str
) -> None:
    engine = create_engine(make_settings(tmp_path, pg_database))
    try:
        assert PG_POOL_SIZE == 30  # 10 kept + 20 overflow before: the same ceiling
        assert engine.pool.size() + engine.pool._max_overflow == 30  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
