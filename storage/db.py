"""Engine and session factories (async), for SQLite and PostgreSQL alike."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.sqlite_driver import BUSY_TIMEOUT_MS, one_trip_dbapi
from storage.write_gate import WriteGate


def create_engine(settings: Settings) -> AsyncEngine:
    """The async engine for the configured database (WAL and foreign keys on SQLite)."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        size = settings.sqlite_pool_size
        engine = create_async_engine(
            url,
            # The group writer runs its statements on the event loop's thread (`run_inline`).
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=size,
            max_overflow=size,
            module=one_trip_dbapi(),  # one trip to the connection's thread per statement
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if settings.sqlite_write_gate:
            WriteGate().install(engine)
        return engine
    engine = create_async_engine(url, pool_size=PG_POOL_SIZE, max_overflow=0)
    _ping_when_idle(engine)
    return engine


# PostgreSQL connections a process keeps (at most as many as before: 10 kept + 20 overflow). With
# 10 kept, a web node answering 32 webhook senders at once opened and closed a connection for
# most deliveries (each a new PostgreSQL backend); every one opened is now kept for the next.
PG_POOL_SIZE = 30

# A pooled PostgreSQL connection handed back this recently has just worked: pinging every one
# before it is lent (`pool_pre_ping`) was a round trip per transaction. One left idle longer is
# pinged, and a dead one is replaced (the pool retries the checkout on a new connection).
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    def fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    def lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("the pooled connection is gone") from error

    event.listen(engine.sync_engine, "connect", fresh)
    event.listen(engine.sync_engine, "checkin", fresh)
    event.listen(engine.sync_engine, "checkout", lent)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Sorts and temporary indexes in memory, an 8 MiB page cache per connection (SQLite's default
    # is 2 MiB) and reads through a memory map of up to 256 MiB: fewer read system calls.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-8192")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def session_factory(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (`info`: given to each session)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, info=info)


def read_sessions(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions like `sessions`, for reading only: on PostgreSQL in autocommit.

    A session that only reads still opens a transaction on PostgreSQL: psycopg sends BEGIN
    before its first statement and the pool a ROLLBACK when the session gives its connection
    back, two round trips around each read. In autocommit each statement is its own snapshot
    and neither is sent. Never write through these (each statement would commit on its own).
    SQLite (no round trips, one writer) gets `sessions` itself."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "postgresql":
        return sessions
    reading = bind.execution_options(isolation_level="AUTOCOMMIT")
    return session_factory(reading, sessions.kw.get("info"))
