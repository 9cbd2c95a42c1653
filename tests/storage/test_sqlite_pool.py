"""SQLite's pool keeps enough connections that busy moments reuse them instead of opening more."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from storage.db import create_engine
from tests.conftest import make_settings


async def test_a_second_burst_of_sessions_opens_no_connection(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'pool.db'}")
    assert settings.sqlite_pool_size == 32
    engine = create_engine(settings)
    opened: list[Any] = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))
    try:
        for _ in range(2):  # 20 at once: more than SQLAlchemy's default 5 kept (+ 10 overflow)
            gate = asyncio.Event()

            async def hold(gate: asyncio.Event) -> None:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                    await gate.wait()

            holders = [asyncio.create_task(hold(gate)) for _ in range(20)]
            await asyncio.sleep(0.2)
            gate.set()
            await asyncio.gather(*holders)
        assert len(opened) == 20  # the second burst reused every one
    finally:
        await engine.dispose()
