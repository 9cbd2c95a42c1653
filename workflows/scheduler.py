"""`WorkflowScheduler`: APScheduler 3 on the app's database, firing workflows and resuming waits."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger as EveryTrigger
from sqlalchemy import Engine, create_engine, event

from storage.config import Settings
from workflows import jobs
from workflows.cron import cron_trigger
from workflows.jobs import FireHandler
from workflows.spec import IntervalTrigger, PollTrigger, ScheduleTrigger, Trigger

__all__ = ["FireHandler", "ScheduledJob", "WorkflowScheduler", "create_scheduler"]

WORKFLOW_PREFIX = "wf:"
RESUME_PREFIX = "resume:"
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class ScheduledJob:
    """One job in the store, for inspection."""

    id: str
    kind: str  # "workflow" or "resume"
    target_id: str
    next_fire_time: datetime | None
    trigger: str


def create_scheduler(settings: Settings, handler: FireHandler) -> WorkflowScheduler:
    """Build a (stopped) scheduler whose jobs persist in the database (see `_job_store_engine`)."""
    store = SQLAlchemyJobStore(engine=_job_store_engine(settings))
    scheduler = AsyncIOScheduler(
        jobstores={"default": store},
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
    """Keeps one job per time-triggered workflow (`wf:{id}`) and per waiting run (`resume:{id}`)."""

    def __init__(self, scheduler: AsyncIOScheduler, handler: FireHandler) -> None:
        self._scheduler = scheduler
        self._handler = handler

    @property
    def is_running(self) -> bool:
        """Whether the scheduler has been started and not shut down."""
        return bool(self._scheduler.running)

    async def start(
        self, *, active: Mapping[str, Trigger], waiting: Mapping[str, datetime]
    ) -> None:
        """Start on the running loop, first reconciling the store with what should be scheduled."""
        jobs.register_handler(self._handler)
        try:
            # Start paused so that nothing stale fires before reconcile has repaired the store;
            # resume() then runs whatever is due (missed fires within their grace) straight away.
            self._scheduler.start(paused=True)
            self.reconcile(active, waiting)
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

    def schedule_resume(self, run_id: str, at: datetime) -> None:
        """Resume the run at `at` (timezone-aware), however late the scheduler gets there."""
        self._require_running()
        if at.tzinfo is None:
            raise ValueError("resume time must be timezone-aware")
        self._scheduler.add_job(
            jobs.RESUME_RUN_REF,
            trigger=DateTrigger(run_date=at.astimezone(UTC)),
            args=[run_id],
            id=RESUME_PREFIX + run_id,
            name=RESUME_PREFIX + run_id,
            # A wait that ended while the process was down must still resume the run, however
            # long ago: unlike a 9am report, a half-finished run never becomes pointless.
            misfire_grace_time=None,
            replace_existing=True,
        )

    def cancel_resume(self, run_id: str) -> bool:
        """Forget the run's pending resume; return whether there was one."""
        self._require_running()
        job_id = RESUME_PREFIX + run_id
        if self._scheduler.get_job(job_id) is None:
            return False
        self._scheduler.remove_job(job_id)
        return True

    def reconcile(self, active: Mapping[str, Trigger], waiting: Mapping[str, datetime]) -> None:
        """Make the store hold exactly `active`'s time-based workflows and `waiting`'s resumes."""
        self._require_running()
        paused_here = self._scheduler.state == STATE_RUNNING
        if paused_here:
            # Paused, each add does not wake the scheduler: one query round at resume, not N.
            self._scheduler.pause()
        try:
            self._reconcile(active, waiting)
        finally:
            if paused_here:
                self._scheduler.resume()

    def _reconcile(self, active: Mapping[str, Trigger], waiting: Mapping[str, datetime]) -> None:
        present = {job.id: job for job in self._scheduler.get_jobs()}
        for workflow_id, trigger in active.items():
            job_id = WORKFLOW_PREFIX + workflow_id
            self._sync(job_id, workflow_id, trigger, present.get(job_id))
        wanted_resumes = {RESUME_PREFIX + run_id: at for run_id, at in waiting.items()}
        for job_id in present:
            stale_workflow = (
                job_id.startswith(WORKFLOW_PREFIX)
                and job_id.removeprefix(WORKFLOW_PREFIX) not in active
            )
            stale_resume = job_id.startswith(RESUME_PREFIX) and job_id not in wanted_resumes
            if stale_workflow or stale_resume:
                self._scheduler.remove_job(job_id)
        for job_id, at in wanted_resumes.items():
            job = present.get(job_id)
            if job is None or job.trigger.run_date != at.astimezone(UTC):
                self.schedule_resume(job_id.removeprefix(RESUME_PREFIX), at)

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
        return cron_trigger(trigger.cron, trigger.timezone)
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
    kind = "resume" if job_id.startswith(RESUME_PREFIX) else "workflow"
    prefix = RESUME_PREFIX if kind == "resume" else WORKFLOW_PREFIX
    return ScheduledJob(
        id=job_id,
        kind=kind,
        target_id=job_id.removeprefix(prefix),
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
