"""The run queue on PostgreSQL (procrastinate): web nodes enqueue, `levqor worker` executes.

A run and its job are written in one transaction: `start_run` inserts the run and its job
(`RunQueue.defer_new`) on the same connection before it commits, and procrastinate inserts the
job on that connection. Either both are committed or neither is. New runs recorded in one shared
transaction of the group writer (webhook deliveries of the same few milliseconds) get jobs of
up to `RUNS_PER_JOB` runs, inserted once at its end; a run recorded alone gets a job of its own,
whose queueing lock is the run id, so a run has at most one job waiting. Executing a job is
`Engine.execute`, which takes the run's lease (`workflows.leases`): a second job for a run, or a
job for a run some process already finished, does nothing.

What a dead worker leaves behind is found by the run table, not by the queue: a worker's sweep
(`orphans`) enqueues again every run that is queued or running with no live lease and no job
waiting — the run of a SIGKILLed worker once its lease expired (at once on the same machine).
The job the dead worker was `doing` is marked failed once its heartbeat is a minute old
(`forget_stalled`), so the queue's own tables do not keep it forever.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

import procrastinate
import psycopg
import psycopg_pool
from procrastinate import exceptions
from procrastinate.jobs import Job
from procrastinate.types import JSONValue
from sqlalchemy import ColumnElement, Select, column, exists, func, literal_column, or_, table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.group_commit import at_end
from storage.models import Run, RunStatus
from storage.types import utcnow

log = logging.getLogger(__name__)

QUEUE_NAME = "levqor_runs"
TASK_NAME = "levqor.execute_run"
# One job for several runs (`RUNS_PER_JOB`), all ended by the same fire of the wait clock: the
# worker fetches and finishes one job for them and loads them with one statement.
MANY_TASK_NAME = "levqor.execute_runs"
RUNS_PER_JOB = 8
SESSION_KEY = "levqor_run_queue"
SCHEMA_LOCK = 0x1E7C0051  # advisory lock held while the queue's tables are created
ExecuteRun = Callable[[str], Awaitable[object]]
ExecuteRuns = Callable[[list[str]], Awaitable[object]]

_jobs = table(
    "procrastinate_jobs",
    column("queueing_lock"),
    column("status"),
    column("task_name"),
    column("args", JSONB),
)
# The runs named by jobs of several runs that wait for a worker.
_IN_MANY_WAITING: Select[tuple[str]] = select(
    func.jsonb_array_elements_text(_jobs.c.args["run_ids"]).label("run_id")
).where(_jobs.c.status == literal_column("'todo'"), _jobs.c.task_name == MANY_TASK_NAME)
_named = _IN_MANY_WAITING.subquery("named")
_TODO: ColumnElement[str] = literal_column(
    "'todo'"
)  # an enum of procrastinate's: compared as a literal


# A connection handed back to the pool this recently has just worked: procrastinate's pool
# checks every connection it lends with a round trip of its own, two per run (the job's fetch and
# its finish). Only one idle longer than this is checked; a connection that failed was closed
# on its return, and the pool replaces a closed one.
CHECK_AFTER_IDLE_SECONDS = 5.0
_returned: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = (
    weakref.WeakKeyDictionary()
)


async def _note_return(conn: psycopg.AsyncConnection[Any]) -> None:
    _returned[conn] = time.monotonic()


async def _check_when_idle(conn: psycopg.AsyncConnection[Any]) -> None:
    """The pool's check of a connection it is about to lend (raises when it is dead)."""
    returned = _returned.get(conn)
    if returned is None or time.monotonic() - returned > CHECK_AFTER_IDLE_SECONDS:
        await psycopg_pool.AsyncConnectionPool.check_connection(conn)


def checked_when_idle_pool(**kwargs: Any) -> psycopg_pool.AsyncConnectionPool:
    """The queue's connection pool: procrastinate's, checking only connections left idle.

    Its connections are in autocommit: everything procrastinate runs on the pool is one
    statement (a job's fetch and its finish are each one call of a function of its own), so a
    transaction around it only added a BEGIN and a COMMIT, two round trips, to each: four per
    run. Enqueueing inside a session's transaction uses that session's connection, not these."""
    kwargs.update(check=_check_when_idle, reset=_note_return, configure=_autocommit)
    return psycopg_pool.AsyncConnectionPool(**kwargs)


async def _autocommit(conn: psycopg.AsyncConnection[Any]) -> None:
    """A new pool connection in autocommit (not through the pool's `kwargs`: procrastinate
    opens its LISTEN connection with those and `autocommit=True` of its own)."""
    await conn.set_autocommit(True)


def shares(run_ids: list[str]) -> list[list[str]]:
    """The runs split into as few jobs as `RUNS_PER_JOB` allows, of sizes that differ by at most
    one: 9 runs go 5 + 4, not 8 + 1, so no job of several is left holding a single run."""
    if not run_ids:
        return []
    count = -(-len(run_ids) // RUNS_PER_JOB)
    size, extra = divmod(len(run_ids), count)
    chunks: list[list[str]] = []
    start = 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        chunks.append(run_ids[start:end])
        start = end
    return chunks


class RunQueue:
    """The procrastinate app of one process: enqueue runs; as a worker, execute them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        connector = procrastinate.PsycopgConnector(
            conninfo=settings.libpq_url, pool_factory=checked_when_idle_pool
        )
        self.app = procrastinate.App(connector=connector)
        self._execute: ExecuteRun | None = None
        self._execute_many: ExecuteRuns | None = None

        async def execute_run(run_id: str) -> None:
            if self._execute is None:
                raise RuntimeError("this process does not execute runs (it is not a worker)")
            await self._execute(run_id)

        async def execute_runs(run_ids: list[str]) -> None:
            if self._execute_many is None:
                raise RuntimeError("this process does not execute runs (it is not a worker)")
            await self._execute_many(run_ids)

        self.task = self.app.task(name=TASK_NAME, queue=QUEUE_NAME, pass_context=False)(execute_run)
        self.many_task = self.app.task(name=MANY_TASK_NAME, queue=QUEUE_NAME, pass_context=False)(
            execute_runs
        )

    async def enqueue(self, session: AsyncSession, run_ids: list[str], *, new: bool) -> None:
        """Add the runs' jobs in the session's open transaction (committed with it).

        `new` runs (just recorded in this transaction) cannot have a job yet: their jobs are
        inserted directly. Otherwise runs with a job already waiting are skipped and the insert
        runs in a savepoint, so a concurrent enqueue of the same run (refused by its queueing
        lock) loses nothing else. Several runs enqueued together (a fire of the wait clock) go
        `RUNS_PER_JOB` to a job (`MANY_TASK_NAME`, no queueing lock): a run named by such a job
        that waits counts as having a job waiting, here and in `orphans`.
        """
        if not run_ids:
            return
        connection = await session.connection()
        if new:
            await self.defer_new(connection, run_ids)
            return
        driver = await _driver(connection)
        if len(run_ids) > 1:
            waiting = await session.exec(
                select(_jobs.c.queueing_lock).where(
                    _jobs.c.queueing_lock.in_(run_ids), _jobs.c.status == _TODO
                )
            )
            present = set(waiting.all())
            named = await session.exec(select(_named.c.run_id).where(_named.c.run_id.in_(run_ids)))
            present.update(named.all())
            run_ids = [run_id for run_id in run_ids if run_id not in present]
            if len(run_ids) > 1:  # no queueing lock: nothing to refuse them
                many = self._many_jobs(run_ids)
                await self.app.job_manager.batch_defer_jobs_async(many, connection=driver)
                return
        jobs = [self._job(run_id) for run_id in run_ids]
        try:
            async with driver.transaction():  # a savepoint inside the session's transaction
                await self.app.job_manager.batch_defer_jobs_async(jobs, connection=driver)
        except exceptions.AlreadyEnqueued:
            log.info("a run's job was already waiting; not enqueued again")

    async def defer_new(self, connection: AsyncConnection, run_ids: list[str]) -> None:
        """Jobs for runs inserted in the connection's open transaction, committed with them (a
        run just recorded cannot have a job yet): one statement. A run alone gets a job of its
        own; several go `RUNS_PER_JOB` to a job (`MANY_TASK_NAME`), executed side by side by
        the worker that fetches it, each under its own lease."""
        jobs = [self._job(run_ids[0])] if len(run_ids) == 1 else self._many_jobs(run_ids)
        driver = await _driver(connection)
        await self.app.job_manager.batch_defer_jobs_async(jobs, connection=driver)

    def _job(self, run_id: str) -> Job:
        return self.task.configure(queueing_lock=run_id).make_new_job(run_id=run_id)

    def _many_jobs(self, run_ids: list[str]) -> list[Job]:
        chunks: list[list[JSONValue]] = [list(chunk) for chunk in shares(run_ids)]
        return [self.many_task.configure().make_new_job(run_ids=chunk) for chunk in chunks]

    async def enqueue_now(self, run_ids: Iterable[str]) -> int:
        """Enqueue runs, each in a transaction of its own on a connection of its own (a run
        with a job waiting is skipped); how many were enqueued."""
        added = 0
        async with await psycopg.AsyncConnection.connect(
            self.settings.libpq_url, autocommit=True
        ) as conn:
            for run_id in run_ids:
                job = self._job(run_id)
                try:
                    async with conn.transaction():
                        await self.app.job_manager.defer_job_async(job, connection=conn)
                    added += 1
                except exceptions.AlreadyEnqueued:
                    pass
        return added

    async def work(self, execute: ExecuteRun, concurrency: int, many: ExecuteRuns) -> None:
        """Execute runs from the queue until cancelled (runs in progress get 5 s to finish;
        then they are cancelled and hand their leases back). `many` executes the runs of a job
        of several, side by side."""
        self._execute, self._execute_many = execute, many
        async with self.app.open_async():
            await self.app.run_worker_async(
                queues=[QUEUE_NAME],
                concurrency=concurrency,
                name="levqor-worker",
                delete_jobs="successful",
                fetch_job_polling_interval=1.0,
                shutdown_graceful_timeout=5.0,
                install_signal_handlers=False,
            )

    async def forget_stalled(self, seconds: float) -> int:
        """Mark failed the jobs left `doing` by workers silent for `seconds` (dead): their runs
        are enqueued again by `orphans` once their leases expire. How many were marked."""
        async with await psycopg.AsyncConnection.connect(
            self.settings.libpq_url, autocommit=True
        ) as conn:
            cursor = await conn.execute(
                "UPDATE procrastinate_jobs SET status = 'failed'"
                " WHERE status = 'doing' AND queue_name = %s AND (worker_id IS NULL OR worker_id IN"
                " (SELECT id FROM procrastinate_workers"
                "  WHERE last_heartbeat < now() - make_interval(secs => %s)))",
                (QUEUE_NAME, seconds),
            )
            return cursor.rowcount

    async def depth(self) -> tuple[int, float]:
        """Jobs waiting, and the age in seconds of the oldest one (0 when none wait)."""
        async with (
            await psycopg.AsyncConnection.connect(self.settings.libpq_url, autocommit=True) as conn,
            conn.cursor() as cursor,
        ):
            await cursor.execute(  # runs, not jobs: a job of several counts each of its runs
                "SELECT coalesce(sum(CASE WHEN task_name = %s"
                " THEN jsonb_array_length(args->'run_ids') ELSE 1 END), 0),"
                " coalesce(extract(epoch FROM now() - min(scheduled_at)), 0)"
                " FROM procrastinate_jobs WHERE status = 'todo' AND queue_name = %s",
                (MANY_TASK_NAME, QUEUE_NAME),
            )
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0]), float(row[1])


async def _driver(connection: AsyncConnection) -> psycopg.AsyncConnection[Any]:
    """psycopg's connection under a SQLAlchemy one (procrastinate writes on it)."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver


async def enqueue_new(connection: AsyncConnection, queue: RunQueue, run_id: str) -> None:
    """The job of a run inserted in the connection's open transaction: in a group writer's
    transaction, with the other new runs of that transaction at its end (`at_end`: jobs of
    several runs); elsewhere at once."""
    await at_end(connection, queue.defer_new, run_id)


async def enqueue_run(session: AsyncSession, run_id: str) -> None:
    """Enqueue the run in the session's transaction if the session belongs to a queueing
    runtime (see `Runtime.sessions`); otherwise nothing (the process executes it itself)."""
    queue = session.info.get(SESSION_KEY)
    if isinstance(queue, RunQueue):
        await queue.enqueue(session, [run_id], new=True)


async def enqueue_runs(session: AsyncSession, run_ids: list[str]) -> None:
    """Enqueue runs recorded earlier (a batch of ended waits) in the session's transaction."""
    queue = session.info.get(SESSION_KEY)
    if isinstance(queue, RunQueue):
        await queue.enqueue(session, run_ids, new=False)


async def orphans(session: AsyncSession, settled: float, limit: int = 1000) -> list[str]:
    """Runs queued or running that no live lease holds and no waiting job names.

    Runs younger than `settled` seconds are left alone (a worker may be about to claim them).
    """
    now = utcnow()
    waiting_job = exists().where(_jobs.c.queueing_lock == Run.id, _jobs.c.status == _TODO)
    query = (
        select(Run.id)
        .where(
            col(Run.status).in_((RunStatus.queued, RunStatus.running)),
            or_(col(Run.lease_owner).is_(None), col(Run.lease_expires_at) < now),
            col(Run.created_at) < now - timedelta(seconds=settled),
            ~waiting_job,
            col(Run.id).not_in(_IN_MANY_WAITING),
        )
        .order_by(col(Run.created_at))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


def ensure_schema(settings: Settings) -> bool:
    """Create procrastinate's tables once (under an advisory lock); True if they were created."""
    if settings.is_sqlite:
        return False
    with psycopg.connect(settings.libpq_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        present = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if present is not None and present[0] is not None:
            return False
        schema = procrastinate.App(connector=procrastinate.PsycopgConnector()).schema_manager
        conn.execute(schema.get_schema().encode())
        conn.commit()
    log.info("created the run queue's tables")
    return True
