"""The queue's connection pool lends a connection it has just had back without a round trip of
its own (procrastinate's pool checked every one: two extra statements per run), checks one left
idle, and replaces one that died while idle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import psycopg_pool
import pytest

from tests.conftest import make_settings
from workflows import queue

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The connections (by backend pid) the pool checked with a round trip."""
    checked: list[int] = []
    real = psycopg_pool.AsyncConnectionPool.check_connection

    async def counting(conn: psycopg.AsyncConnection[Any]) -> None:
        checked.append(conn.info.backend_pid)
        await real(conn)

    monkeypatch.setattr(psycopg_pool.AsyncConnectionPool, "check_connection", counting)
    return checked


async def test_a_connection_just_returned_is_lent_again_unchecked_an_idle_one_is_checked(
    tmp_path: Path, database_url: str, checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, database_url)
    async with queue.checked_when_idle_pool(
        conninfo=settings.libpq_url, min_size=1, max_size=1, open=False
    ) as pool:
        for _ in range(3):
            async with pool.connection() as conn:
                await conn.execute("SELECT 1")
        assert len(checks) == 1  # the first lend (never returned yet), not the next two
        monkeypatch.setattr(queue, "CHECK_AFTER_IDLE_SECONDS", 0.0)
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
        assert len(checks) == 2  # left idle longer than the limit: checked


async def test_a_connection_that_died_while_idle_is_replaced(
    tmp_path: Path, database_url: str, checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, database_url)
    async with queue.checked_when_idle_pool(
        conninfo=settings.libpq_url, min_size=1, max_size=1, open=False
    ) as pool:
        async with pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(settings.libpq_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        monkeypatch.setattr(queue, "CHECK_AFTER_IDLE_SECONDS", 0.0)
        async with pool.connection() as conn:
            assert conn.info.backend_pid != pid
            assert (await (await conn.execute("SELECT 41 + 1")).fetchone()) == (42,)


async def test_the_run_queue_uses_that_pool(
    tmp_path: Path, database_url: str, checks: list[int]
) -> None:
    settings = make_settings(tmp_path, database_url, LEVQOR_RUN_QUEUE=True)
    queue.ensure_schema(settings)
    run_queue = queue.RunQueue(settings)
    async with run_queue.app.open_async():
        for _ in range(12):
            await run_queue.app.job_manager.list_jobs_async(queue=queue.QUEUE_NAME)
    # each of its connections is checked when first lent, not again (procrastinate's own pool
    # checked every lend: 12)
    assert len(checks) == len(set(checks)) < 12, checks
