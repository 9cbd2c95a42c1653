"""The running system: database, engine, scheduler and background runs, built from settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.catalog import default_registry
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Run, Workflow, WorkflowStatus, WorkflowVersion, Workspace
from storage.scope import Tenant
from storage.types import utcnow
from workflows import leases
from workflows.engine import Engine
from workflows.live import LiveEvents
from workflows.runs import start_run
from workflows.scheduler import WorkflowScheduler, create_scheduler
from workflows.spec import WorkflowSpec
from workflows.versions import spec_of
from workflows.waits import WaitClock

log = logging.getLogger(__name__)
TIME_TRIGGERS = ("schedule", "interval", "poll")


class Runtime:
    """One process's Levqor: call `start()`, then use `submit`, `fire`, `sync_workflow`."""

    def __init__(self, settings: Settings, registry: ActionRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or default_registry()
        self.db: AsyncEngine = create_engine(settings)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.db)
        self.live = LiveEvents()
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(15.0), follow_redirects=False)
        self.engine = Engine(
            settings,
            self.sessions,
            self.registry,
            self.http,
            on_wait=self._on_wait,
            on_failure=self._on_failure,
            on_event=self.live.publish,
        )
        self.scheduler: WorkflowScheduler | None = None
        self.waits: WaitClock | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._executing: set[str] = set()  # runs this process is executing right now
        self._sweeper: asyncio.Task[None] | None = None
        # Scheduled fires and continued waits run a few at a time: a burst (10,000 drip waits due
        # together) queues here instead of exhausting the connection pool.
        self._scheduled = asyncio.Semaphore(settings.scheduled_concurrency)

    async def start(self, *, scheduler: bool | None = None, recover: bool = True) -> Runtime:
        """Start the scheduler and wait clock (if enabled); with `recover`, take over runs whose
        executor is gone, now and every `LEVQOR_LEASE_SECONDS` (see `recover`)."""
        if scheduler if scheduler is not None else self.settings.run_scheduler:
            self.scheduler = create_scheduler(self.settings, self)
            await self.scheduler.start(active=await self._time_triggered())
            if recover:
                await self.recover()
            self.waits = WaitClock(
                self.sessions, self._continue_waited, poll_seconds=self.settings.wait_poll_seconds
            )
            self.waits.start()
        elif recover:
            await self.recover()
        if recover:
            self._sweeper = asyncio.create_task(self._sweep(), name="levqor-run-sweeper")
        return self

    async def close(self) -> None:
        """Stop the scheduler, let in-flight runs finish briefly, release connections."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self.waits:
            await self.waits.stop()
        if self.scheduler:
            await self.scheduler.shutdown()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:  # cancelled runs hand their leases back before the pool closes
            await asyncio.wait(self._tasks, timeout=5)
        await self.engine.leases.stop()
        await self.http.aclose()
        await self.db.dispose()

    @property
    def in_flight(self) -> int:
        """Runs queued or executing in this process (a measure of load)."""
        return len(self._tasks)

    def submit(self, run_id: str) -> asyncio.Task[Run]:
        """Execute a run in the background of this process."""
        return self._spawn(self._execute(run_id))

    async def _execute(self, run_id: str) -> Run:
        self._executing.add(run_id)
        try:
            return await self.engine.execute(run_id)
        finally:
            self._executing.discard(run_id)

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

    async def fire(self, workflow_id: str) -> None:
        """Scheduler callback: start a run of an active workflow (poll triggers poll first)."""
        async with self._scheduled:
            await self._fire(workflow_id)

    async def _fire(self, workflow_id: str) -> None:
        async with self.sessions() as session:
            workflow = await session.get(Workflow, workflow_id)
            if workflow is None or workflow.status != WorkflowStatus.active:
                return
            if not await self._workspace_live(session, workflow.workspace_id):
                return
            tenant = Tenant(session, workflow.workspace_id)
            spec = await self._spec(session, workflow)
            payload: dict[str, Any] = {"fired_at": utcnow().isoformat()}
            if spec.trigger.type == "poll":
                from workflows.triggers.poll import poll_feed

                remember = "rss.new_items" not in spec.actions()
                items = await poll_feed(self, workflow, spec.trigger.url, remember=remember)
                if not items:
                    return
                payload.update(items=items, count=len(items), feed=spec.trigger.url)
            started = await start_run(
                tenant, workflow, trigger_type=spec.trigger.type, payload=payload
            )
        await self._execute(started.run.id)

    def _continue_waited(self, run_id: str) -> None:
        """Wait clock callback: the run's wait is over; continue it in the background."""
        self._spawn(self.resume(run_id))

    async def resume(self, run_id: str) -> None:
        """Continue a run whose wait is over (a few at a time: see `_scheduled`)."""
        async with self._scheduled:
            await self._execute(run_id)

    async def recover(self) -> list[str]:
        """Take over the runs nobody executes: queued or running without a lease, or whose lease
        expired (its process stopped). Runs other processes hold are left alone; overdue waits
        are the wait clock's. Each run is claimed by exactly one process (`workflows.leases`)."""
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

    async def _on_failure(self, run: Run, message: str) -> None:
        """Tell the workspace's alert channel (or the outbox) that a run failed."""
        async with self.sessions() as session:
            workspace = await session.get(Workspace, run.workspace_id)
            workflow = await session.get(Workflow, run.workflow_id)
        if workspace is None or workflow is None or not workspace.alert_channel:
            return
        details = f"{self.settings.public_url}/api/runs/{run.id}"
        text = (
            f":rotating_light: Workflow *{workflow.name}* failed (run {run.id[:8]}).\n{message}\n"
            f"Details: {details}"
        )
        head = f":rotating_light: Workflow *{workflow.name}* failed (run `{run.id[:8]}`)."
        what = message if len(message) <= 2500 else message[:2499] + "…"
        blocks = [  # the Retry button's action_id is handled by bot/slack (ids.RETRY_RUN)
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{head}\n{what}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{details}|Details>"}]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Retry"},
                        "action_id": "run_retry",
                        "value": run.id,
                    }
                ],
            },
        ]
        ctx = ActionContext(
            settings=self.settings,
            sessions=self.sessions,
            http=self.http,
            workspace_id=run.workspace_id,
            workflow_id=run.workflow_id,
            run_id=run.id,
            step_id="alert",
            idempotency_key=f"{run.id}:alert",
        )
        try:
            await self.registry.get("slack.post_message").run(
                ctx, {"channel": workspace.alert_channel, "text": text, "blocks": blocks}
            )
        except Exception:
            log.exception("could not send the failure alert for run %s", run.id)
