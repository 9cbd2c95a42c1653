"""The processes `bench.webhook_workers` measures: the scale-out topology on PostgreSQL (web,
scheduler, workers) or one `levqor serve` on SQLite, each on fresh data, from a given checkout."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.drip_waits import _cpu_seconds, _postgres_cpu
from tests.fakes.http_server import free_port

# The checkout's CLI with this environment's Python (the checkout first on the path).
LAUNCH = "import sys; from bot.cli import main; sys.argv[0] = 'levqor'; sys.exit(main())"
# The fake's paths W2's steps call, by step id.
CALLS_OF_STEP = {"crm": "/crm", "slack": "/slack", "partner": "/partner"}


@dataclass
class Setup:
    """What to start: `postgres` (a server URL) with `workers`, or SQLite when it is None."""

    label: str
    code: Path
    postgres: str | None
    workers: int
    concurrency: int


@dataclass
class Topology:
    """Started processes of one setup, and how to read their database."""

    setup: Setup
    env: dict[str, str]
    base: str
    url: str  # libpq URL, or the SQLite file's path
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    _sqlite: sqlite3.Connection | None = None
    _pg: psycopg.AsyncConnection[Any] | None = None

    async def levqor(self, *args: str) -> str:
        """Run a `levqor` command of the checkout to its end; its output."""
        process = await asyncio.create_subprocess_exec(
            *_argv(args), env=self.env, cwd=self.setup.code, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        assert process.returncode == 0, f"levqor {' '.join(args)} failed"
        return out.decode().strip()

    async def start(self, name: str, *args: str) -> None:
        """Start a long-lived `levqor` process (its output to `<name>.log` in the data dir)."""
        path = Path(self.env["LEVQOR_DATA_DIR"]) / f"{name}.log"
        with path.open("wb") as log:
            self.processes[name] = await asyncio.create_subprocess_exec(
                *_argv(args), env=self.env, cwd=self.setup.code, stdout=log, stderr=log
            )

    async def approve(self, spec: dict[str, Any]) -> str:
        """Create the workflow as an operator, approve it as the owner; its hook URL."""
        operator = await self.levqor("keys", "create", "--role", "operator")
        owner = await self.levqor("keys", "create", "--role", "owner")
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            made = await client.post(
                "/api/workflows", json={"spec": spec}, headers=_bearer(operator)
            )
            assert made.status_code == 201, made.text
            created = made.json()
            decided = await client.post(
                f"/api/approvals/{created['approval']['id']}/approve",
                json={"confirm": True},
                headers=_bearer(owner),
            )
            assert decided.status_code == 200, decided.text
        return str(created["webhook_url"])

    async def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of one read (plain SQL that both databases take)."""
        if self.setup.postgres is None:
            if self._sqlite is None:
                self._sqlite = sqlite3.connect(self.url, check_same_thread=False)
            conn = self._sqlite
            return await asyncio.to_thread(lambda: conn.execute(sql).fetchall())
        if self._pg is None:
            self._pg = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        return await (await self._pg.execute(sql)).fetchall()

    async def counts(self) -> tuple[int, int]:
        """Runs recorded, and runs ended (succeeded or failed)."""
        rows = await self.query(
            "SELECT count(*), sum(CASE WHEN status IN ('succeeded', 'failed') THEN 1 ELSE 0 END)"
            " FROM run"
        )
        return int(rows[0][0]), int(rows[0][1] or 0)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each started process, and of PostgreSQL's (with a server)."""
        used = {name: _cpu_seconds(p.pid) for name, p in self.processes.items()}
        if self.setup.postgres is not None:
            used["postgres"] = sum(_postgres_cpu().values())
        return used

    async def once_only(self, runs: int, calls: dict[str, int]) -> dict[str, int]:
        """Lost and doubled: runs recorded and succeeded, step attempts, messages, fake calls."""
        (recorded, succeeded), *_ = await self.query(
            "SELECT count(*), sum(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) FROM run"
        )
        (retried,), *_ = await self.query(
            "SELECT count(*) FROM step_run WHERE status = 'succeeded' AND attempts <> 1"
        )
        (messages, distinct), *_ = await self.query(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM outbox"
        )
        steps = dict(
            await self.query(
                "SELECT step_id, count(*) FROM step_run WHERE status = 'succeeded' GROUP BY step_id"
            )
        )
        expected = {path: steps.get(step, 0) for step, path in CALLS_OF_STEP.items()}
        made = {path: calls.get(path, 0) for path in CALLS_OF_STEP.values()}
        slack_posts = int(steps.get("notify", 0))
        return {
            "recorded": int(recorded),
            "lost": runs - int(succeeded or 0),
            "doubled": int(retried)
            + int(messages) - int(distinct)
            + int(recorded) - runs
            + sum(max(0, made[p] - expected[p]) for p in made),
            "missing_calls": sum(max(0, expected[p] - made[p]) for p in made)
            + max(0, slack_posts - int(messages)),
        }  # fmt: skip

    async def close(self) -> None:
        for process in self.processes.values():
            if process.returncode is None:
                process.terminate()
        await asyncio.gather(*(p.wait() for p in self.processes.values()))
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            await self._pg.close()


def _argv(args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-c", LAUNCH, *args]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@asynccontextmanager
async def running(setup: Setup) -> AsyncIterator[Topology]:
    """The setup's processes on fresh data, once they answer; stopped (and the database
    dropped) on the way out."""
    data = Path(tempfile.mkdtemp(prefix="levqor-hooks-data-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SLACK_BOT_TOKEN")},
        "PYTHONPATH": str(setup.code),
        "LEVQOR_DATA_DIR": str(data),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_RATE_LIMITS": "false",
        "LEVQOR_HTTP_ALLOWED_HOSTS": '["127.0.0.1"]',
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LEVQOR_WORKER_CONCURRENCY": str(setup.concurrency or 8),
    }
    database = f"levqor_bench_pgw_{uuid.uuid4().hex[:8]}"
    server = setup.postgres
    if server is not None:
        async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
            await conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/{database}"
    url = env.get("DATABASE_URL", str(data / "levqor.db"))
    topology = Topology(setup, env, f"http://127.0.0.1:{port}", url)
    try:
        await topology.levqor("db", "upgrade")
        if server is None:
            await topology.start("sqlite", "serve", "--port", str(port))
        else:
            await topology.start("web", "serve", "--role", "web", "--port", str(port))
            await topology.start("scheduler", "scheduler")
            for n in range(1, setup.workers + 1):
                await topology.start(f"worker{n}", "worker")
        await _answering(topology)
        yield topology
    finally:
        await topology.close()
        if server is not None:
            async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def _answering(topology: Topology) -> None:
    """Wait for the web process to answer and, with workers, for each to have registered."""
    async with httpx.AsyncClient(base_url=topology.base, timeout=5) as probe:
        for _ in range(300):
            try:
                if (await probe.get("/api/health/live")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the web process did not answer within 30 s")
    for _ in range(300):
        if topology.setup.postgres is None:
            return
        (workers,), *_ = await topology.query("SELECT count(*) FROM procrastinate_workers")
        if int(workers) >= topology.setup.workers:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the workers did not register within 30 s")
