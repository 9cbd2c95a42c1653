"""The running system: database, engine, scheduler and background runs, built from settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import http_wire, slack_http
from integrations.catalog import default_registry
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.group_commit import WRITER_KEY, GroupWriter
from storage.models import (
    ENDED_RUN_STATUSES,
    Run,
    RunStatus,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
    Workspace,
)
from storage.scope import Tenant
from storage.types import utcnow
from workflows import leases
from workflows.engine import Engine, Loaded
from workflows.failure_notices import FailureNotices
from workflows.handover import Handed, Lease
from workflows.leader import SchedulerLeader
from workflows.live import LiveEvent, LiveEvents
from workflows.live_bus import LiveBus
from workflows.metrics import Metrics
from workflows.queue import SESSION_KEY, RunQueue, orphans
from workflows.reminders import CHASE_EVERY_SECONDS, ApprovalChaser
from workflows.runs import RunGate, start_run
from workflows.scheduler import WorkflowScheduler, create_scheduler
from workflows.spec import PollTrigger, WorkflowSpec
from workflows.versions import spec_of
from workflows.waits import WaitClock

log = logging.getLogger(__name__)
TIME_TRIGGERS = ("schedule", "interval", "poll")
WAIT_GATHER_SECONDS = 0.2  # with a run queue: the least time between two fires of due waits
WEB_GATHER_SECONDS = 0.02  # a web node on the run queue: the least time between two transactions
STALLED_WORKER_SECONDS = 60.0  # procrastinate workers beat every 10 s: silent for 60 s is dead


class Runtime:
    """One process's Levqor: call `start()`, then use `submit`, `fire`, `sync_workflow`."""

    def __init__(
        self, settings: Settings, registry: ActionRegistry | None = None, *, pages: bool = True
    ) -> None:
        """`pages=False`: this process serves no live pages (`levqor worker`, `levqor
        scheduler`): its live events go to the other nodes, theirs are not listened to."""
        self.settings = settings
        self.registry = registry or default_registry()
        self.db: AsyncEngine = create_engine(settings)
        # With a run queue (PostgreSQL workers), `start_run` on these sessions enqueues its run.
        self.queue = RunQueue(settings) if settings.queue_enabled else None
        # Group commit: the engine's writes and new runs of the same moment share a transaction.
        # A web node on the run queue gathers the deliveries of a few milliseconds in one
        # transaction while busy: their runs reach the workers in jobs of several runs.
        gather = WEB_GATHER_SECONDS if settings.role == "web" and settings.queue_enabled else 0.0
        self.writer = GroupWriter(self.db, gather_seconds=gather) if settings.group_commit else None
        info: dict[str, Any] = {}
        if self.queue:
            info[SESSION_KEY] = self.queue
        if self.writer:
            info[WRITER_KEY] = self.writer
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.db, info)
        self.live = LiveEvents()
        # On PostgreSQL, live events cross nodes (a browser on one sees runs executed on another).
        url = settings.libpq_url
        self.bus = None if settings.is_sqlite else LiveBus(url, self.live, listen=pages)
        if self.bus is not None:
            self.live.forward = self.bus.send
        self.metrics = Metrics()
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(15.0), follow_redirects=False)
        self.engine = Engine(
            settings,
            self.sessions,
            self.registry,
            self.http,
            on_wait=self._on_wait,
            on_failure=self._on_failure,
            on_success=self._on_success,
            on_event=self._on_event,
            writer=self.writer,
        )
        self.notices = FailureNotices(settings, self.sessions, self.registry, self.http)
        self.chaser = ApprovalChaser(settings, self.sessions, self.registry, self.http)
        self._chasing: asyncio.Task[None] | None = None
        self.scheduler: WorkflowScheduler | None = None
        self.waits: WaitClock | None = None
        self.leader: SchedulerLeader | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._executing: set[str] = set()  # runs this process is executing right now
        self._sweeper: asyncio.Task[None] | None = None
        # Scheduled fires and continued waits run a few at a time: a burst (10,000 drip waits due
        # together) queues here instead of exhausting the connection pool.
        self._scheduled = asyncio.Semaphore(settings.scheduled_concurrency)
        # Admission of scheduled runs (the plan's limits, set by the app: `accounts.limits`).
        self.run_gate: RunGate | None = None
        # The workspace's plan and usage in words, for the assistant (set by the app).
        self.billing_words: Callable[[AsyncSession, str], Awaitable[str]] | None = None
        # The plan's admission for the assistant: (workspace id, "ai_draft" | "workflow") → why
        # not, or None; an admitted AI draft is counted (set by the app).
        self.admit: Callable[[str, str], Awaitable[str | None]] | None = None

    async def start(self, *, scheduler: bool | None = None, recover: bool = True) -> Runtime:
        """Start the scheduler and wait clock (if enabled); with `recover`, take over runs whose
        executor is gone, now and every `LEVQOR_LEASE_SECONDS` (see `recover`).

        On PostgreSQL the scheduler runs only while this process holds the scheduler lock
        (`workflows.leader`): one process among many schedules, the others stand by.
        """
        slack_http.keep()  # Slack posts share kept connections until `close`
        http_wire.keep()  # so do http.request steps, feeds and social sources
        if self.bus is not None:
            self.bus.start()
        if scheduler if scheduler is not None else self.settings.run_scheduler:
            if self.settings.is_sqlite:
                await self._lead()
            else:
                self.leader = SchedulerLeader(
                    self.settings.libpq_url,
                    self._lead,
                    self._step_down,
                    poll_seconds=self.settings.leader_poll_seconds,
                )
                await self.leader.start()
        if recover:
            await self.recover()
            self._sweeper = asyncio.create_task(self._sweep(), name="levqor-run-sweeper")
        return self

    async def start_role(self) -> Runtime:
        """Start what `LEVQOR_ROLE` asks for: `web` serves only (runs go to the queue), `worker`
        executes runs from the queue, `scheduler` only schedules, `all` does everything."""
        role = self.settings.role
        if role == "web":
            return await self.start(scheduler=False, recover=False)
        if role == "scheduler":
            return await self.start(scheduler=True, recover=False)
        await self.start(scheduler=False if role == "worker" else None)
        if self.queue is not None:
            concurrency = self.settings.worker_concurrency
            self._worker = asyncio.create_task(self.work(concurrency), name="levqor-worker")
        return self

    async def _lead(self) -> None:
        """Become the active scheduler: fire time-triggered workflows and end due waits."""
        self.scheduler = create_scheduler(self.settings, self)
        await self.scheduler.start(active=await self._time_triggered())
        # With a run queue the waits' runs go to the workers: ending those falling due within
        # a fifth of a second together costs the scheduler one transaction instead of dozens.
        gather = WAIT_GATHER_SECONDS if self.queue is not None else 0.0
        self.waits = WaitClock(
            self.sessions,
            self._continue_waited,
            poll_seconds=self.settings.wait_poll_seconds,
            gather_seconds=gather,
        )
        self.waits.start()
        self._chasing = asyncio.create_task(self._chase(), name="levqor-approval-chaser")
        self.metrics.scheduler_leader.set(1)
        if self.leader is not None:  # other processes (web nodes) change what is scheduled
            self._refresher = asyncio.create_task(self._refresh(), name="levqor-schedule-refresh")
            # Taking over from a leader that died mid-fire: its last fire may not be recorded.
            for workflow_id, at in self.scheduler.missed(self.settings.misfire_grace_seconds):
                self._spawn(self.fire(workflow_id, at))

    async def _step_down(self) -> None:
        """Stop scheduling (shutdown, or the scheduler lock was lost)."""
        self.metrics.scheduler_leader.set(0)
        for loop in (self._refresher, self._chasing):
            if loop is not None:
                loop.cancel()
                await asyncio.gather(loop, return_exceptions=True)
        self._chasing = None
        refresher, self._refresher = self._refresher, None
        if refresher is not None:
            refresher.cancel()
            await asyncio.gather(refresher, return_exceptions=True)
        waits, self.waits = self.waits, None
        if waits:
            await waits.stop()
        scheduler, self.scheduler = self.scheduler, None
        if scheduler:
            await scheduler.shutdown()

    async def _refresh(self) -> None:
        """While leading: re-read which workflows are scheduled, every few seconds."""
        while True:
            await asyncio.sleep(self.settings.schedule_refresh_seconds)
            try:
                active = await self._time_triggered()
                if self.scheduler is not None and self.scheduler.is_running:
                    self.scheduler.reconcile(active)
            except Exception:
                log.exception("could not refresh the schedule; trying again")

    async def work(self, concurrency: int) -> None:
        """Execute runs from the queue until stopped (`levqor worker`)."""
        if self.queue is None:
            raise RuntimeError("workers need the run queue (PostgreSQL and LEVQOR_RUN_QUEUE)")
        await self.queue.work(self._execute, concurrency, self._execute_many)

    def _on_event(self, event: LiveEvent) -> None:
        self.metrics.observe(event)
        self.live.publish(event)

    async def close(self) -> None:
        """Stop the scheduler, let in-flight runs finish briefly, release connections."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self.leader is not None:
            await self.leader.close()
        else:
            await self._step_down()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:  # cancelled runs hand their leases back before the pool closes
            await asyncio.wait(self._tasks, timeout=5)
        await self.engine.leases.stop()
        if self.writer is not None:
            await self.writer.close()
        if self.bus is not None:
            await self.bus.close()
        await self.http.aclose()
        await slack_http.close()
        await http_wire.close()
        await self.db.dispose()

    @property
    def in_flight(self) -> int:
        """Runs queued or executing in this process (a measure of load)."""
        return len(self._tasks)

    def submit(self, run_id: str, handed: Handed | None = None) -> asyncio.Task[Run] | None:
        """Execute a run in the background of this process (None: a worker executes it, as
        its job was enqueued with the run). `handed`: what its creator read (no load)."""
        if self.queue is not None:
            return None
        return self._spawn(self._execute(run_id, handed))

    def new_run_lease(self) -> Lease | None:
        """The lease a run this process accepts and executes itself is inserted with (its claim
        folded into the INSERT); None with a run queue (a worker claims the run)."""
        if self.queue is not None:
            return None
        return Lease(self.engine.leases.owner, self.engine.leases.seconds)

    async def finished(self, run_id: str, task: asyncio.Task[Run] | None, within: float) -> bool:
        """Whether the run ends within `within` seconds (its task here, or a worker's)."""
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=within)
            return bool(done)
        deadline = asyncio.get_running_loop().time() + within
        while True:
            async with self.sessions() as session:
                run = await session.get(Run, run_id)
            if run is None or run.status in ENDED_RUN_STATUSES:
                return run is not None
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.2)

    async def _execute(
        self, run_id: str, handed: Handed | None = None, *, loaded: Loaded | None = None
    ) -> Run:
        self._executing.add(run_id)
        try:
            return await self.engine.execute(run_id, handed, loaded)
        finally:
            self._executing.discard(run_id)

    async def _execute_many(self, run_ids: list[str]) -> None:
        """The runs of one queue job of several (ended together by the wait clock): loaded with
        one statement, then executed side by side, each under its own lease as usual (if that
        statement fails, each run loads itself, as a job of its own would)."""
        try:
            loaded = await self.engine.load_many(run_ids)
        except Exception:
            log.exception(
                "could not load a job's %d runs together; each loads itself", len(run_ids)
            )
            loaded = {}
        await asyncio.gather(
            *(self._execute(run_id, loaded=loaded.get(run_id)) for run_id in run_ids)
        )

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("background run crashed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until every background run started so far has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def fire(self, workflow_id: str, fire_time: datetime | None = None) -> None:
        """Scheduler callback: start a run of an active workflow (poll triggers poll first).

        A fire of a scheduled time is keyed on that time: the same time fired twice (a new
        leader taking over) finds the first run and starts nothing.
        """
        if fire_time is not None:
            late = (utcnow() - fire_time).total_seconds()
            self.metrics.scheduler_lateness_seconds.observe(max(0.0, late))
        async with self._scheduled:
            await self._fire(workflow_id, fire_time)

    async def _fire(self, workflow_id: str, fire_time: datetime | None = None) -> None:
        async with self.sessions() as session:
            workflow = await session.get(Workflow, workflow_id)
            if workflow is None or workflow.status != WorkflowStatus.active:
                return
            if not await self._workspace_live(session, workflow.workspace_id):
                return
            tenant = Tenant(session, workflow.workspace_id)
            if self.run_gate is not None and (refused := await self.run_gate(tenant)):
                log.info("scheduled run of %s not started: %s", workflow_id, refused)
                return
            spec = await self._spec(session, workflow)
            key = f"fire:{fire_time.astimezone(UTC).isoformat()}" if fire_time else None
            trigger = spec.trigger
            if isinstance(trigger, PollTrigger) and trigger.sheet:
                from workflows.triggers.sheet_poll import poll_sheet

                started = await poll_sheet(self, tenant, workflow, trigger, key)
            elif isinstance(trigger, PollTrigger) and trigger.pages:
                from workflows.triggers.page_poll import poll_pages

                started = await poll_pages(self, tenant, workflow, trigger, key)
            else:
                payload: dict[str, Any] = {"fired_at": utcnow().isoformat()}
                if isinstance(trigger, PollTrigger):
                    from workflows.triggers.poll import new_mentions, poll_feed

                    remember = "rss.new_items" not in spec.actions()
                    url = trigger.url
                    items = await poll_feed(self, workflow, url, remember=remember) if url else []
                    if not items and not await new_mentions(self, workflow, spec):
                        return
                    payload.update(items=items, count=len(items), feed=url or "")
                started = [
                    await start_run(
                        tenant,
                        workflow,
                        trigger_type=trigger.type,
                        payload=payload,
                        idempotency_key=key,
                    )
                ]
        if self.queue is None:
            for run in started:
                if run.created:
                    await self._execute(run.run.id)

    def _continue_waited(self, run_id: str) -> None:
        """Wait clock callback: the run's wait is over; continue it in the background (with a
        run queue, its job was enqueued with the end of its wait: a worker continues it)."""
        if self.queue is None:
            self._spawn(self.resume(run_id))

    async def resume(self, run_id: str) -> None:
        """Continue a run whose wait is over (a few at a time: see `_scheduled`)."""
        async with self._scheduled:
            await self._execute(run_id)

    async def recover(self) -> list[str]:
        """Take over the runs nobody executes: queued or running without a lease, or whose lease
        expired (its process stopped). Runs other processes hold are left alone; overdue waits
        are the wait clock's. Each run is claimed by exactly one process (`workflows.leases`).

        With a run queue, such runs are enqueued again for the workers instead (`orphans`)."""
        if self.queue is not None:
            async with self.sessions() as session:
                await leases.expire_dead_owners(session)
                found = await orphans(session, settled=self.settings.lease_seconds)
            if found:
                log.warning("enqueueing %d runs again (their worker stopped)", len(found))
                await self.queue.enqueue_now(found)
            await self.queue.forget_stalled(STALLED_WORKER_SECONDS)
            return found
        async with self.sessions() as session:
            await leases.expire_dead_owners(session)
            found = await leases.claimable(session)
        run_ids = [run_id for run_id in found if run_id not in self._executing]
        for run_id in run_ids:
            self._executing.add(run_id)  # taken (not yet started): the next sweep skips it
            self._spawn(self._take_over(run_id))
        return run_ids

    async def _take_over(self, run_id: str) -> None:
        """A few at a time, like scheduled fires: a backlog does not exhaust the pool."""
        try:
            async with self._scheduled:
                await self._execute(run_id)
        finally:
            self._executing.discard(run_id)

    async def _chase(self) -> None:
        """On the scheduling node, every few minutes: remind, escalate, withdraw approvals."""
        while True:
            await asyncio.sleep(CHASE_EVERY_SECONDS)
            try:
                await self.chaser.chase()
            except Exception:
                log.exception("could not chase waiting approvals; trying again")

    async def _sweep(self) -> None:
        """Every lease period, take over runs whose process stopped meanwhile."""
        while True:
            await asyncio.sleep(self.settings.lease_seconds)
            try:
                await self.recover()
            except Exception:
                log.exception("could not look for runs to take over; trying again")

    async def sync_workflow(self, workflow: Workflow) -> None:
        """After a committed change: schedule an active time-triggered workflow, else unschedule."""
        if self.scheduler is None:
            return
        trigger = None
        if workflow.status == WorkflowStatus.active:
            async with self.sessions() as session:
                spec = await self._spec(session, workflow)
                live = await self._workspace_live(session, workflow.workspace_id)
            if spec.trigger.type in TIME_TRIGGERS and live:
                trigger = spec.trigger
        self.scheduler.sync_workflow(workflow.id, trigger)

    async def _workspace_live(self, session: AsyncSession, workspace_id: str) -> bool:
        """Whether the workspace exists and is not deleted (a deleted one's schedules stop)."""
        workspace = await session.get(Workspace, workspace_id)
        return workspace is not None and workspace.deleted_at is None

    async def _spec(self, session: AsyncSession, workflow: Workflow) -> WorkflowSpec:
        version = (
            await session.exec(
                select(WorkflowVersion).where(
                    WorkflowVersion.workflow_id == workflow.id,
                    WorkflowVersion.version == workflow.active_version,
                )
            )
        ).one()
        return spec_of(version)

    async def _time_triggered(self) -> dict[str, Any]:
        active: dict[str, Any] = {}
        async with self.sessions() as session:
            rows = await session.exec(
                select(Workflow)
                .join(Workspace, col(Workspace.id) == Workflow.workspace_id)
                .where(Workflow.status == WorkflowStatus.active)
                .where(col(Workspace.deleted_at).is_(None))
            )
            for workflow in rows.all():
                spec = await self._spec(session, workflow)
                if spec.trigger.type in TIME_TRIGGERS:
                    active[workflow.id] = spec.trigger
        return active

    async def _on_wait(self, run_id: str, at: datetime) -> None:
        if self.waits:
            self.waits.notify(at)

    async def _on_failure(self, run: Run, message: str, previous: RunStatus | str | None) -> None:
        """Tell the workspace's people that a workflow started failing (once per streak)."""
        await self.notices.failed(run, message, previous)

    async def _on_success(self, run: Run, previous: RunStatus | str | None) -> None:
        """Tell the workspace's people that a failing workflow works again."""
        await self.notices.succeeded(run, previous)
