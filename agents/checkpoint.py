"""The checkpointer: SQLite file in the data dir (embedded), PostgreSQL when DATABASE_URL is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from storage.config import Settings

CHECKPOINT_FILE = "checkpoints.db"


def postgres_dsn(settings: Settings) -> str | None:
    """The plain psycopg DSN when the database is PostgreSQL, else None."""
    url = settings.resolved_database_url
    if not url.startswith("postgresql"):
        return None
    return "postgresql://" + url.split("://", 1)[1]


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield a ready checkpointer (tables created) and close its connections afterwards."""
    dsn = postgres_dsn(settings)
    if dsn is not None:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        async with AsyncConnectionPool(dsn, kwargs=kwargs, max_size=5, open=False) as pool:
            postgres = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
            await postgres.setup()
            yield postgres
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(settings.data_dir / CHECKPOINT_FILE)) as saver:
        await saver.setup()
        yield saver
