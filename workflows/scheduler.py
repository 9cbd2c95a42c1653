"""`WorkflowScheduler`: APScheduler 3 on the app's database, firing time-triggered workflows.

Wait steps are not scheduler jobs: a waiting run is its own timer in the run table, fired in
batches by `workflows.waits.WaitClock`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger as EveryTrigger
from sqlalchemy import Engine, create_engine, event

from storage.config import Settings
from workflows import jobs
from workflows.jobs import FireHandler
from workflows.schedule_rules import schedule_fires
from workflows.spec import IntervalTrigger, PollTrigger, ScheduleTrigger, Trigger

__all__ = ["FireHandler", "ScheduledJob", "WorkflowScheduler", "create_scheduler"]

WORKFLOW_PREFIX = "wf:"
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class ScheduledJob:
    """One job in the store, for inspection."""

    id: str
    workflow_id: str
    next_fire_time: datetime | None
    trigger: str


def create_scheduler(settings: Settings, handler: FireHandler) -> WorkflowScheduler:
    """Build a (stopped) scheduler whose jobs persist in the database (see `_job_store_engine`)."""
    store = SQLAlchemyJobStore(engine=_job_store_engine(settings))
    scheduler = AsyncIOScheduler(
        jobstores={"default": store},
        executors={"default": jobs.FireTimeExecutor()},
        timezone=UTC,
        job_defaults={
            # A backlog of missed fires (the process was down for three intervals) runs once:
            # three back-to-back runs of "post last week's leads" would only be noise.
            "coalesce": True,
            # A fire missed by up to this many seconds (a restart, a deploy) still runs;
            # anything older is skipped, so a machine back after a day does not run yesterday's 9am.
            "misfire_grace_time": settings.misfire_grace_seconds,
            # Never two overlapping fires of one workflow: a slow fire makes the next one skip.
            "max_instances": 1,
        },
    )
    return WorkflowScheduler(scheduler, handler)


class WorkflowScheduler:
    """Keeps one job per active time-triggered workflow (`wf:{id}`)."""

    def __init__(self, scheduler: AsyncIOScheduler, handler: FireHandler) -> None:
        self._scheduler = scheduler
        self._handler = handler

    @property
    def is_running(self) -> bool:
        """Whether the scheduler has been started and not shut down."""
        return bool(self._scheduler.running)

    async def start(self, *, active: Mapping[str, Trigger]) -> None:
        """Start on the running loop, first reconciling the store with what should be scheduled."""
        jobs.register_handler(self._handler)
        try:
            # Start paused so that nothing stale fires before reconcile has repaired the store;
            # resume() then runs whatever is due (missed fires within their grace) straight away.
            self._scheduler.start(paused=True)
            self.reconcile(active)
            self._scheduler.resume()
        except BaseException:
            await self.shutdown()
            raise

    async def shutdown(self) -> None:
        """Stop firing, let fires in progress finish (bounded), and unregister the handler."""
        if self._scheduler.running:
            # AsyncIOScheduler defers its shutdown to the next loop iteration; wait for it.
            stopped = asyncio.Event()
            self._scheduler.add_listener(lambda _event: stopped.set(), EVENT_SCHEDULER_SHUTDOWN)
            self._scheduler.shutdown(wait=False)
            await stopped.wait()
        await jobs.drain(DRAIN_SECONDS)
        jobs.unregister_handler(self._handler)

    def sync_workflow(self, workflow_id: str, trigger: Trigger | None) -> datetime | None:
        """Schedule the workflow for its trigger (None or not time-based: unschedule it).

        An unchanged trigger keeps its job, so re-approving a version does not push an interval
        workflow's next fire back. Returns the next fire time.
        """
        self._require_running()
        job_id = WORKFLOW_PREFIX + workflow_id
        return self._sync(job_id, workflow_id, trigger, self._scheduler.get_job(job_id))

    def _sync(
        self, job_id: str, workflow_id: str, trigger: Trigger | None, existing: Any
    ) -> datetime | None:
        aps_trigger = _aps_trigger(trigger)
        if aps_trigger is None or trigger is None:
            if existing is not None:
                self._scheduler.remove_job(job_id)
            return None
        fingerprint = f"{job_id} {trigger.model_dump_json()}"
        if existing is not None and existing.name == fingerprint:
            return _next(existing)
        job = self._scheduler.add_job(
            jobs.FIRE_WORKFLOW_REF,
            trigger=aps_trigger,
            args=[workflow_id],
            id=job_id,
            name=fingerprint,
            replace_existing=True,  # a new version's trigger replaces the old job in place
        )
        return _next(job)

    def reconcile(self, active: Mapping[str, Trigger]) -> None:
        """Make the store hold exactly `active`'s time-based workflows (and nothing else)."""
        self._require_running()
        paused_here = self._scheduler.state == STATE_RUNNING
        if paused_here:
            # Paused, each add does not wake the scheduler: one query round at resume, not N.
            self._scheduler.pause()
        try:
            self._reconcile(active)
        finally:
            if paused_here:
                self._scheduler.resume()

    def _reconcile(self, active: Mapping[str, Trigger]) -> None:
        present = {job.id: job for job in self._scheduler.get_jobs()}
        for workflow_id, trigger in active.items():
            job_id = WORKFLOW_PREFIX + workflow_id
            self._sync(job_id, workflow_id, trigger, present.get(job_id))
        wanted = {WORKFLOW_PREFIX + workflow_id for workflow_id in active}
        for job_id in present:
            if job_id not in wanted:  # a paused or deleted workflow, or a job of an older release
                self._scheduler.remove_job(job_id)

    def missed(self, within: float) -> list[tuple[str, datetime]]:
        """Each job's last scheduled time of the past `within` seconds, if it is before the
        job's next fire: a scheduler that died mid-fire had already moved the job past it.
        Firing one again is harmless: runs are keyed on workflow + scheduled time."""
        self._require_running()
        now = datetime.now(UTC)
        found: list[tuple[str, datetime]] = []
        for job in self._scheduler.get_jobs():
            upcoming = _next(job)
            last, at = None, job.trigger.get_next_fire_time(None, now - timedelta(seconds=within))
            for _ in range(10_000):  # bounded: a seconds-interval over the grace period
                if at is None or at > now or (upcoming is not None and at >= upcoming):
                    break
                last, at = at, job.trigger.get_next_fire_time(at, at + timedelta(microseconds=1))
            if last is not None:
                found.append((str(job.id).removeprefix(WORKFLOW_PREFIX), last))
        return found

    def jobs(self) -> list[ScheduledJob]:
        """Every job in the store, soonest first."""
        self._require_running()
        return [_describe(job) for job in self._scheduler.get_jobs()]

    def next_fire_time(self, workflow_id: str) -> datetime | None:
        """When the workflow fires next, or None if it is not scheduled."""
        self._require_running()
        job = self._scheduler.get_job(WORKFLOW_PREFIX + workflow_id)
        return _next(job) if job is not None else None

    def _require_running(self) -> None:
        # Before start() APScheduler only queues jobs in memory; writing nothing would be a lie.
        if not self._scheduler.running:
            raise RuntimeError("the workflow scheduler is not running; call start() first")


def _aps_trigger(trigger: Trigger | None) -> BaseTrigger | None:
    if isinstance(trigger, ScheduleTrigger):
        return schedule_fires(
            trigger.cron,
            trigger.timezone,
            trigger.week_interval,
            trigger.starts_on,
            trigger.only_on,
        )
    if isinstance(trigger, IntervalTrigger):
        return EveryTrigger(seconds=trigger.seconds, timezone=UTC)
    if isinstance(trigger, PollTrigger):
        return EveryTrigger(seconds=trigger.interval_seconds, timezone=UTC)
    return None  # manual, webhook, email, slack, stripe: fired by events, not by the clock


def _next(job: Any) -> datetime | None:
    value = getattr(job, "next_run_time", None)
    return value if isinstance(value, datetime) else None


def _describe(job: Any) -> ScheduledJob:
    job_id = str(job.id)
    return ScheduledJob(
        id=job_id,
        workflow_id=job_id.removeprefix(WORKFLOW_PREFIX),
        next_fire_time=_next(job),
        trigger=str(job.trigger),
    )


JOB_STORE_FILE = "scheduler.db"


def _job_store_engine(settings: Settings) -> Engine:
    """A synchronous engine for the job store: the app's PostgreSQL, or a SQLite file of its own.

    APScheduler's job store is synchronous and runs on the event loop. SQLite allows one writer
    per file: sharing the app's file, a job-store write waits on a transaction of the app's async
    driver that needs the (now blocked) loop to finish — a deadlock until the busy timeout. A file
    of its own, beside the app's in the data dir, never waits on the app's writers.
    """
    if not settings.is_sqlite:
        return create_engine(settings.sync_database_url, pool_pre_ping=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / JOB_STORE_FILE
    engine = create_engine(f"sqlite:///{path.as_posix()}", connect_args={"timeout": 30})
    # Every fire commits an UPDATE or DELETE. With SQLite's default rollback journal and
    # synchronous=FULL each commit waits for fsyncs; WAL + NORMAL (as the app's engine uses)
    # keeps a commit well under a millisecond, which the lateness benchmark depends on.
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
