"""`levqor purge [--dry-run]` on the embedded default, and the daily purge's timing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accounts.purge_clock import next_purge
from accounts.workspaces import ensure_default
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, Run
from storage.types import utcnow
from tests.accounts.seed import count_rows, seed_runs
from tests.bot.test_cli import env, levqor

__all__ = ["env"]


async def _seed(days_ago: int) -> tuple[str, list[int]]:
    settings = Settings()
    engine = create_engine(settings)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            ws = await ensure_default(session)
            await session.commit()
        if days_ago:
            await seed_runs(settings, sessions, ws, runs=2, at=utcnow() - timedelta(days=days_ago))
        counts = [await count_rows(sessions, m, ws.id) for m in (Run, OutboxMessage)]
        return ws.id, counts
    finally:
        await engine.dispose()


def test_purge_command_dry_run_then_purge(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0
    asyncio.run(_seed(40))  # older than the 30 days a workspace without a plan keeps
    code, out = levqor("purge", "--dry-run")
    assert code == 0 and "would delete 16 records; nothing was deleted" in out
    assert "30 days" in out
    assert asyncio.run(_seed(0))[1] == [2, 2]  # the dry run deleted nothing
    code, out = levqor("purge")
    assert code == 0 and "Deleted 16 records" in out
    assert asyncio.run(_seed(0))[1] == [0, 0]
    code, out = levqor("purge")
    assert code == 0 and "Deleted 0 records" in out and "default" in out


@pytest.mark.parametrize(
    ("now", "hour", "expected"),
    [
        (datetime(2026, 1, 5, 2, 59, tzinfo=UTC), 3, datetime(2026, 1, 5, 3, tzinfo=UTC)),
        (datetime(2026, 1, 5, 3, 0, tzinfo=UTC), 3, datetime(2026, 1, 6, 3, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 0, datetime(2027, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_the_daily_purge_runs_at_the_purge_hour(
    now: datetime, hour: int, expected: datetime
) -> None:
    assert next_purge(now, hour) == expected
