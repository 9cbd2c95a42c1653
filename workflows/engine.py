"""The engine: runs a workflow version step by step, keyed, retried and recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, ActionError
from integrations.registry import ActionRegistry, UnknownActionError
from storage.config import Settings
from storage.models import (
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
    Workspace,
)
from storage.types import utcnow
from workflows.expressions import ExpressionError, evaluate, render_value
from workflows.live import LiveEvent, LiveKind
from workflows.retry import with_retries
from workflows.spec import Step, WorkflowSpec
from workflows.versions import cached, spec_of

log = logging.getLogger(__name__)

WaitHook = Callable[[str, datetime], Awaitable[None]]
FailureHook = Callable[[Run, str], Awaitable[None]]
EventHook = Callable[[LiveEvent], None]


class StepFailed(Exception):
    """A step failed for good; the run stops here."""


@dataclass
class _RunState:
    run: Run
    spec: WorkflowSpec
    context: dict[str, Any]
    done: dict[str, StepRun]
    requested_by: str | None = None


class Engine:
    """Executes runs. One instance per process; safe to call concurrently for different runs."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        registry: ActionRegistry,
        http: httpx.AsyncClient,
        *,
        on_wait: WaitHook | None = None,
        on_failure: FailureHook | None = None,
        on_event: EventHook | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.registry = registry
        self.http = http
        self.on_wait = on_wait
        self.on_failure = on_failure
        self.on_event = on_event

    async def execute(self, run_id: str) -> Run:
        """Run (or continue) a run from its first unfinished step; returns the stored run."""
        async with self.sessions() as session:
            state = await self._load(session, run_id)
            run = state.run
            if run.status in (RunStatus.succeeded, RunStatus.failed):
                return run
            if run.status == RunStatus.waiting and run.resume_at and run.resume_at > utcnow():
                return run
            run.status, run.resume_at = RunStatus.running, None
            run.started_at = run.started_at or utcnow()
            await session.commit()
            self._live(run, "run.started")
            try:
                for position, step in enumerate(state.spec.steps):
                    if not await self._step(session, state, position, step):
                        self._live(run, "run.waiting", detail=str(run.resume_at or ""))
                        return run  # waiting
            except StepFailed as failure:
                run.status, run.error, run.finished_at = RunStatus.failed, str(failure), utcnow()
                await session.commit()
                self._live(run, "run.failed", detail=str(failure))
                if self.on_failure and not run.dry_run:
                    await self.on_failure(run, str(failure))
                return run
            run.status, run.finished_at = RunStatus.succeeded, utcnow()
            await session.commit()
            self._live(run, "run.succeeded")
            return run

    def _live(
        self, run: Run, kind: LiveKind, *, step_id: str | None = None, detail: str = ""
    ) -> None:
        if self.on_event is None or run.dry_run:
            return
        self.on_event(
            LiveEvent(run.workspace_id, kind, run.workflow_id, run.id, step_id, detail=detail)
        )

    async def _load(self, session: AsyncSession, run_id: str) -> _RunState:
        query = (
            select(Run, Workflow, Workspace)
            .join(Workflow, col(Workflow.id) == Run.workflow_id)
            .join(Workspace, col(Workspace.id) == Run.workspace_id)
            .where(Run.id == run_id)
        )
        found = (await session.exec(query)).first()
        if found is None:
            raise LookupError(f"run {run_id} not found")
        run, workflow, workspace = found
        spec = cached(run.version_id)
        if spec is None:
            version = await session.get(WorkflowVersion, run.version_id)
            assert version is not None
            spec = spec_of(version)
        rows: list[StepRun] = []
        if run.started_at is not None:  # a fresh run has no step rows yet
            rows = list((await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all())
        done = {r.step_id: r for r in rows}
        context: dict[str, Any] = {
            "trigger": run.trigger_payload,
            "steps": {r.step_id: r.output or {} for r in rows if r.status == StepStatus.succeeded},
            "workspace": {"id": workspace.id, "name": workspace.name, "slug": workspace.slug},
            "workflow": {"id": workflow.id, "name": workflow.name},
            "run": {"id": run.id, "dry_run": run.dry_run},
            "now": utcnow().isoformat(),
        }
        return _RunState(run, spec, context, done, workflow.created_by)

    async def _step(
        self, session: AsyncSession, state: _RunState, position: int, step: Step
    ) -> bool:
        """Run one step; False when the run must now wait."""
        run, existing = state.run, state.done.get(step.id)
        if existing and existing.status in (StepStatus.succeeded, StepStatus.skipped):
            return True
        if step.wait:
            return await self._wait(session, state, position, step, existing)
        if step.when is not None:
            try:
                go = evaluate(step.when, state.context)
            except ExpressionError as exc:
                raise await self._fail(
                    session, run, self._row(session, state, step, position), exc
                ) from exc
            if not go:
                row = self._row(session, state, step, position)
                row.status, row.finished_at = StepStatus.skipped, utcnow()
                self._event(session, run, step.id, "step_skipped", f"condition false: {step.when}")
                await session.commit()
                return True
        row = existing or self._row(session, state, step, position)
        assert step.action is not None
        try:
            action = self.registry.get(step.action)
            inputs = render_value(step.inputs, state.context)
        except (UnknownActionError, ExpressionError) as exc:
            raise await self._fail(session, run, row, exc) from exc
        # Recorded with the step's outcome (one commit per step): a crash mid-step leaves the step
        # unfinished either way, and its idempotency key keeps the re-execution from repeating it.
        # Start and finish live on the step row itself; events record the rest (retries, failures,
        # skips, waits), and `workflows.runs.run_events` merges both into the timeline.
        row.inputs, row.status = inputs if isinstance(inputs, dict) else {}, StepStatus.running
        ctx = ActionContext(
            settings=self.settings,
            sessions=self.sessions,
            http=self.http,
            workspace_id=run.workspace_id,
            workflow_id=run.workflow_id,
            run_id=run.id,
            step_id=step.id,
            idempotency_key=row.idempotency_key,
            dry_run=run.dry_run,
            extras={"requested_by": state.requested_by},
        )

        async def attempt(number: int) -> Any:
            row.attempts = number
            return await action.run(ctx, row.inputs)

        async def on_retry(number: int, error: BaseException, delay: float) -> None:
            message = f"attempt {number} failed ({_describe(error)}); retrying in {delay:.2f}s"
            self._event(session, run, step.id, "step_retry", message)
            await session.commit()

        started = time.perf_counter()
        self._live(run, "step.started", step_id=step.id, detail=step.action)
        try:
            output = await with_retries(
                attempt,
                step.retry,
                attempt_timeout=step.timeout_seconds or self.settings.step_timeout_seconds,
                scale=self.settings.retry_base_seconds,
                on_retry=on_retry,
            )
        except Exception as exc:
            row.duration_ms = (time.perf_counter() - started) * 1000
            raise await self._fail(session, run, row, exc) from exc
        row.duration_ms = (time.perf_counter() - started) * 1000
        row.output = output.model_dump(mode="json")
        row.status, row.finished_at = StepStatus.succeeded, utcnow()
        state.context["steps"][step.id] = row.output
        await session.commit()
        self._live(run, "step.finished", step_id=step.id, detail=step.action)
        return True

    async def _wait(
        self,
        session: AsyncSession,
        state: _RunState,
        position: int,
        step: Step,
        existing: StepRun | None,
    ) -> bool:
        run = state.run
        if existing is not None:
            due = existing.started_at + timedelta(seconds=step.wait_seconds)
            if due > utcnow():
                run.status, run.resume_at = RunStatus.waiting, due
                await session.commit()
                return False
            existing.status, existing.finished_at = StepStatus.succeeded, utcnow()
            existing.output = {"waited_until": due.isoformat()}
            state.context["steps"][step.id] = existing.output
            self._event(session, run, step.id, "wait_over", "")
            await session.commit()
            return True
        row = self._row(session, state, step, position)
        row.status = StepStatus.waiting
        due = row.started_at + timedelta(seconds=step.wait_seconds)
        run.status, run.resume_at = RunStatus.waiting, due
        self._event(session, run, step.id, "waiting", f"until {due.isoformat()}")
        await session.commit()
        if self.on_wait and not run.dry_run:
            await self.on_wait(run.id, due)
        return False

    @staticmethod
    def _row(session: AsyncSession, state: _RunState, step: Step, position: int) -> StepRun:
        row = StepRun(
            workspace_id=state.run.workspace_id,
            run_id=state.run.id,
            step_id=step.id,
            position=position,
            action=step.action or "wait",
            idempotency_key=f"{state.run.id}:{step.id}",
        )
        state.done[step.id] = row
        session.add(row)
        return row

    async def _fail(
        self, session: AsyncSession, run: Run, row: StepRun, error: BaseException
    ) -> StepFailed:
        message = f"step {row.step_id} ({row.action}) failed: {_describe(error)}"
        row.status, row.error, row.finished_at = StepStatus.failed, _describe(error), utcnow()
        session.add(row)
        self._event(session, run, row.step_id, "step_failed", message)
        await session.commit()
        log.warning("run %s: %s", run.id, message)
        return StepFailed(message)

    @staticmethod
    def _event(session: AsyncSession, run: Run, step_id: str | None, kind: str, msg: str) -> None:
        session.add(
            RunEvent(
                workspace_id=run.workspace_id,
                run_id=run.id,
                step_id=step_id,
                kind=kind,
                message=msg,
            )
        )


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ActionError | UnknownActionError | ExpressionError):
        return str(error)
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}" if not isinstance(error, Exception) else text
