"""PostgreSQL sessions borrow a pooled connection without a ping when it was handed back moments
ago (a ping before every transaction was a round trip each); one left idle is pinged, and one
that died while idle is replaced, the session none the wiser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from storage import db
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"


async def test_a_connection_handed_back_is_lent_unpinged_an_idle_one_pinged_a_dead_one_replaced(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, database_url)
    engine = db.create_engine(settings)
    pings: list[Any] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    sessions = db.session_factory(engine)
    try:
        pids = set()
        for _ in range(5):
            async with sessions() as session:
                pids.add((await session.exec(text("SELECT pg_backend_pid()"))).one()[0])  # type: ignore[call-overload]
        assert len(pids) == 1 and pings == []  # one connection, lent five times, never pinged

        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with psycopg.connect(settings.libpq_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pids.pop(),))
        async with sessions() as session:
            assert (await session.exec(text("SELECT 41 + 1"))).one()[0] == 42  # type: ignore[call-overload]
        assert len(pings) >= 1  # the idle one was pinged, found dead, and replaced
    finally:
        await engine.dispose()
