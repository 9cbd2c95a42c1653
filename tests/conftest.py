"""Shared fixtures: settings on a fresh database (SQLite file, or PostgreSQL when asked)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import migrate
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Member, Role, Workspace
from tests.fakes.localstripe_server import LocalStripe

PG_ADMIN_DSN = os.environ.get("LEVQOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def make_settings(data_dir: Path, database_url: str | None = None, **extra: object) -> Settings:
    """Settings for a test: its own data dir and database, loopback HTTP allowed, fast retries."""
    values: dict[str, Any] = {
        "LEVQOR_DATA_DIR": data_dir,
        "LEVQOR_SECRET_KEY": "test-secret-key-not-for-production",
        "LEVQOR_HTTP_ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "LEVQOR_RETRY_BASE_SECONDS": 0.01,
        "LEVQOR_RETRY_MAX_SECONDS": 0.2,
        "LEVQOR_SCHEDULER": False,
        # The suite polls the API far faster than a person would; tests of the limits turn them on.
        "LEVQOR_RATE_LIMITS": False,
    }
    if database_url:
        values["DATABASE_URL"] = database_url
    values.update(extra)
    return Settings.model_validate(values)


def empty_run_queue(settings: Settings) -> Settings:
    """`settings` with the PostgreSQL run queue's tables made and emptied of earlier tests' jobs
    and workers (the queue is shared by every test on the database)."""
    from workflows.queue import ensure_schema

    ensure_schema(settings)
    with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
        conn.execute("TRUNCATE procrastinate_jobs, procrastinate_workers CASCADE")
    return settings


def queue_jobs(settings: Settings) -> list[tuple[str, Any]]:
    """(task name, arguments) of every job in the run queue, oldest first."""
    with psycopg.connect(settings.libpq_url) as conn:
        rows = conn.execute("SELECT task_name, args FROM procrastinate_jobs ORDER BY id").fetchall()
    return [(str(name), args) for name, args in rows]


@pytest.fixture
def queued(tmp_path: Path, database_url: str) -> Settings:
    """A web node's settings on the test's database: runs go to the (emptied) run queue."""
    return empty_run_queue(make_settings(tmp_path, database_url, LEVQOR_RUN_QUEUE=True))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    migrate.upgrade(make_settings(data_dir))
    return data_dir / "levqor.db"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A migrated PostgreSQL database of its own for this test session."""
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required when CI=true but is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    name = f"levqor_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(make_settings(Path("/tmp"), url))
    yield url
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """Real localstripe in a subprocess on loopback, one per test process (tests flush it)."""
    server = LocalStripe.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on; tests using it run on both."""
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, sqlite_template: Path
) -> str:
    """A fresh, migrated, empty database for one test."""
    if backend == "sqlite":
        target = tmp_path / "levqor.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        conn.execute("DROP TABLE IF EXISTS apscheduler_jobs")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings on the fresh database."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The async engine for the test database."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory for the test database."""
    return session_factory(engine)


@pytest.fixture
async def workspace(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    """A workspace with an owner (`owner@example.com`) and an admin and an operator."""
    async with sessions() as session:
        ws = Workspace(slug="acme", name="Acme", alert_channel="#alerts")
        session.add(ws)
        await session.flush()
        for name, role in (
            ("Olivia Owner", Role.owner),
            ("Adam Admin", Role.admin),
            ("Oscar Operator", Role.operator),
            ("Vera Viewer", Role.viewer),
        ):
            email = f"{role.value}@example.com"
            session.add(Member(workspace_id=ws.id, name=name, role=role, email=email))
        await session.commit()
    return ws
