"""The engine: runs a workflow version step by step, keyed, retried and recorded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel
from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.outbox import DeliveryUnknown
from integrations.registry import ActionRegistry, UnknownActionError
from storage.config import Settings
from storage.db import read_sessions
from storage.group_commit import GroupWriter
from storage.models import (
    ENDED_RUN_STATUSES,
    Run,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
    Workspace,
)
from storage.rows import row_of
from storage.types import utcnow
from workflows import breakdowns, cancellation, leases, run_clock, run_writes
from workflows.expressions import ExpressionError, evaluate, value_of
from workflows.handover import Handed
from workflows.live import LiveEvent, LiveKind
from workflows.poll_problems import poll_problem
from workflows.retry import with_retries
from workflows.run_log import outcome
from workflows.spec import Step, WorkflowSpec
from workflows.step_errors import InputsError, describe, render_inputs
from workflows.timed_waits import WaitTimeError, due_at
from workflows.versions import cached, spec_of

log = logging.getLogger(__name__)

WaitHook = Callable[[str, datetime], Awaitable[None]]
# The hooks get how the workflow's previous finished run ended, read by the ending commit
# (`run_writes.UNKNOWN` when it was not read there).
FailureHook = Callable[[Run, str, RunStatus | str | None], Awaitable[None]]
SuccessHook = Callable[[Run, RunStatus | str | None], Awaitable[None]]
EventHook = Callable[[LiveEvent], None]


# One statement: the run, its workflow and workspace, and its step rows (if any).
_LOAD = (
    select(Run, Workflow, Workspace, StepRun)
    .join(Workflow, col(Workflow.id) == Run.workflow_id)
    .join(Workspace, col(Workspace.id) == Run.workspace_id)
    .outerjoin(StepRun, col(StepRun.run_id) == Run.id)
    .where(col(Run.id) == bindparam("run_id"))
)
# The same for several runs (a queue job of several: `workflows.queue.MANY_TASK_NAME`).
_LOAD_MANY = (
    select(Run, Workflow, Workspace, StepRun)
    .join(Workflow, col(Workflow.id) == Run.workflow_id)
    .join(Workspace, col(Workspace.id) == Run.workspace_id)
    .outerjoin(StepRun, col(StepRun.run_id) == Run.id)
    .where(col(Run.id).in_(bindparam("run_ids", expanding=True)))
)


class Loaded:
    """A run's state read ahead by `Engine.load_many`, for one execution (then it is gone: an
    execution that must read the run again, after a changed claim, loads it)."""

    def __init__(self, state: _RunState) -> None:
        self._state: _RunState | None = state

    def take(self) -> _RunState | None:
        state, self._state = self._state, None
        return state


class StepFailed(Exception):
    """A step failed for good; the run stops here."""


class _LeaseLost(Exception):
    """Another process took the run over (this one's lease expired): stop without writing."""


class _NotClaimed(Exception):
    """The claim written with the run's first commit found the run taken: nothing was written."""


@dataclass
class _RunState:
    run: Run
    spec: WorkflowSpec
    context: dict[str, Any]
    done: dict[str, StepRun]
    written: run_writes.Written
    requested_by: str | None = None
    workspace_deleted: bool = False  # read with the run: a run of a deleted workspace never starts
    deadline: float = 0.0  # the event loop's time at which the run is over its time limit
    held: bool = False  # the claim is committed and the lease keeper renews it
    # Live events of changes not committed yet, published (in order) right after the commit.
    announce: list[tuple[LiveKind, str | None, str]] = field(default_factory=list)
    # Timeline events (RunEvent rows) not written yet: inserted together with the next commit.
    events: list[dict[str, Any]] = field(default_factory=list)
    loaded: dict[str, Any] = field(default_factory=dict)  # the run's columns as loaded
    # A step's outcome not committed yet: committed before the next action starts, or in the
    # transaction of its first write when it `writes_first` (`_RideAlong`).
    deferred: bool = False


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
        on_success: SuccessHook | None = None,
        on_event: EventHook | None = None,
        writer: GroupWriter | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.registry = registry
        self.http = http
        self.on_wait = on_wait
        self.on_failure = on_failure
        self.on_success = on_success
        self.on_event = on_event
        # Commits go through the group writer (shared with other runs' of the same moment), or
        # without one each in a transaction of its own.
        self.writer = writer
        bind = sessions.kw.get("bind")
        assert isinstance(bind, AsyncEngine), "the engine's sessions must be bound to an engine"
        self.db: AsyncEngine = bind
        # The load of a run, and actions' reads: outside any transaction on PostgreSQL.
        self.reads = read_sessions(sessions)
        self.leases = leases.LeaseKeeper(sessions, leases.new_owner(), settings.lease_seconds)

    async def execute(
        self, run_id: str, handed: Handed | None = None, loaded: Loaded | None = None
    ) -> Run:
        """Run (or continue) a run from its first unfinished step; returns the stored run.

        `handed`: the run was just created in this process, which read what its execution needs
        (`workflows.handover`): no load; if it was inserted claimed, no claim either.

        The run is executed only under its lease (`workflows.leases`): a run another process
        holds is returned as it is. Whatever goes wrong, the run ends: a step that fails fails
        the run; an execution that breaks down is counted, and the run is failed as poison once
        that happened `LEVQOR_RUN_MAX_RECOVERIES` times.
        """
        try:
            return await self._execute(run_id, handed, loaded)
        except asyncio.CancelledError:  # shutting down: leave the run for the next process
            await asyncio.shield(breakdowns.let_go(self, run_id))
            raise
        except Exception as exc:
            log.exception("run %s: the execution broke down", run_id)
            return await breakdowns.crashed(self, run_id, exc)

    async def _execute(self, run_id: str, handed: Handed | None, loaded: Loaded | None) -> Run:
        for _ in range(3):  # again only if the run changed between its load and its claim
            try:
                return await self._execute_once(run_id, handed, loaded)
            except leases.ClaimChanged:
                log.info("run %s changed while being claimed; reading it again", run_id)
                handed, loaded = None, None
        return await self._execute_once(run_id, None, None)

    async def load_many(self, run_ids: list[str]) -> dict[str, Loaded]:
        """What `execute` loads of each run, for several runs in one statement (a queue job of
        several runs): hand each to `execute` as `loaded`. Runs not found are left out."""
        async with self.reads() as session:
            found = (await session.exec(_LOAD_MANY, params={"run_ids": run_ids})).all()
            by_run: dict[str, list[Any]] = {}
            for row in found:
                by_run.setdefault(row[0].id, []).append(row)
            return {run_id: Loaded(await self._state(session, rows))
                    for run_id, rows in by_run.items()}  # fmt: skip

    async def _execute_once(self, run_id: str, handed: Handed | None, loaded: Loaded | None) -> Run:
        if handed is not None and not handed.workspace_deleted:
            return await self._execute_handed(handed)
        async with self.reads() as session:  # one statement: no transaction around it
            state = loaded.take() if loaded is not None else None
            state = state or await self._load(session, run_id)
            run = state.run
            if run.status in ENDED_RUN_STATUSES:
                return run
            if run.status == RunStatus.waiting and run.resume_at and run.resume_at > utcnow():
                return run
            reason = await cancellation.why_cancel(session, run, state.workspace_deleted)
        if reason is not None:  # deleted workspace, unlinked agency: a second check at claim
            async with self.sessions() as session:  # the cancel is written in a transaction
                outcome(await cancellation.cancel(session, run, reason))
            return run
        # From here on the rows are detached: the engine writes them with Core statements only.
        # The claim (which also marks the run running) is worked out from the loaded run and
        # written with the first commit (a wait ending, a skip, or just before the first action).
        return await self._claim_and_run(state)

    async def _execute_handed(self, handed: Handed) -> Run:
        """A run created in this process a moment ago: its state from what its creator read.

        A new run cannot have ended, be waiting or have steps; a webhook's run has no member
        who asked for it (nothing to check against an agency link); a deleted workspace's run
        goes through the load (`_execute_once`), which cancels it.

        Once the run has ended, its steps' outputs are left in `handed.answer`."""
        state = _handed_state(handed)
        run = await self._run_handed(state, handed)
        if run.status in ENDED_RUN_STATUSES:
            rows = sorted(state.done.values(), key=lambda row: row.position)
            handed.answer.outputs = [(row.step_id, row.output) for row in rows]
        return run

    async def _run_handed(self, state: _RunState, handed: Handed) -> Run:
        run = state.run
        if handed.claimed:  # inserted running and leased to this engine: nothing to claim
            assert run.lease_owner == self.leases.owner, "a run claimed by another engine"
            state.written.run = run_writes.run_values(run)
            state.held = True
            self.leases.hold(run.id)
            claim = leases.Claim(0, False, run.running_since or run.created_at, 0.0)
            try:
                return await self._run_claimed(state, claim)
            except _LeaseLost:
                return run
            finally:
                self.leases.release(run.id)
        return await self._claim_and_run(state)

    async def _claim_and_run(self, state: _RunState) -> Run:
        """Work out the claim from the run as read, write it with the first commit, run it."""
        run = state.run
        pending = leases.expect(run, self.leases.owner, self.leases.seconds)
        state.written.claim = pending
        state.written.run = run_writes.run_values(run)
        try:
            return await self._run_claimed(state, pending.claim)
        except _NotClaimed:  # another process executes it: the run as read, nothing written
            for name, value in state.loaded.items():
                setattr(run, name, value)
            return run
        except _LeaseLost:  # nothing more is written
            return run
        finally:
            if state.held:  # only the execution whose claim was written holds the lease
                self.leases.release(run.id)

    async def _run_claimed(self, state: _RunState, claim: leases.Claim) -> Run:
        run = state.run
        if state.held:  # inserted claimed: "running" is committed already
            self.publish(run, "run.started")
        else:  # published once the claim is committed
            state.announce.append(("run.started", None, ""))
        if claim.recovered:  # logged once the claim is written (`_commit`)
            _event(state, None, "run_recovered", breakdowns.RECOVERED.format(n=claim.recoveries))
        if claim.recoveries >= self.settings.run_max_recoveries:
            return await self._end_failed(state, breakdowns.poison(claim.recoveries))
        if problem := poll_problem(run):  # the poll could not look: its reason is the failure
            return await self._end_failed(state, problem)
        state.deadline = run_clock.deadline(claim, self.settings.run_max_seconds)
        last = len(state.spec.steps) - 1
        try:
            if run_clock.past(state.deadline):
                raise StepFailed(run_clock.over_time(self.settings.run_max_seconds, None))
            for position, step in enumerate(state.spec.steps):
                if not await self._step(state, position, step, last=position == last):
                    self.publish(run, "run.waiting", detail=str(run.resume_at or ""))
                    return run  # waiting
        except StepFailed as failure:
            return await self._end_failed(state, str(failure))
        # The last step's outcome (if not committed yet) and the run's success share a commit.
        run.status, run.finished_at, run.lease_owner = RunStatus.succeeded, utcnow(), None
        state.announce.append(("run.succeeded", None, ""))
        notify = self.on_success is not None and not run.dry_run
        state.written.ask_previous = notify
        await self._commit(state)
        if self.on_success and notify:
            await self.on_success(run, state.written.previous)
        outcome(run)
        return run

    async def _end_failed(self, state: _RunState, message: str) -> Run:
        run = state.run
        run.status, run.error, run.finished_at = RunStatus.failed, message, utcnow()
        run.lease_owner = None
        notify = self.on_failure is not None and not run.dry_run
        state.written.ask_previous = notify
        await self._commit(state)
        outcome(run)
        self.publish(run, "run.failed", detail=message)
        if self.on_failure and notify:
            await self.on_failure(run, message, state.written.previous)
        return run

    async def _commit(self, state: _RunState) -> None:
        """Write what changed (with the timeline events noted), then publish what that made true.

        The first commit also writes the claim; if that finds the run taken, `_NotClaimed`."""
        claim = state.written.claim
        state.deferred = False
        if state.held and state.run.lease_owner is None:  # this write gives the lease back
            self.leases.ending(state.run.id)
        write = run_writes.pending(state.written, state.run, state.done, state.events)
        state.events = []
        if not await self._write(write):
            raise _NotClaimed(state.run.id)
        if claim is not None and claim.claim.recovered:
            log.warning("run %s: taken over (its last executor stopped or lost its lease)",
                        state.run.id)  # fmt: skip
        if not state.held and state.run.lease_owner == self.leases.owner:
            state.held = True
            self.leases.hold(state.run.id)
        announce, state.announce = state.announce, []
        for kind, step_id, detail in announce:
            self.publish(state.run, kind, step_id=step_id, detail=detail)

    async def _write(self, write: run_writes.Write) -> bool:
        """Commit `write`: with other runs' writes through the group writer, or on its own."""
        if self.writer is not None:
            return await self.writer.write(write)
        async with self.db.connect() as connection:
            return await _in_transaction(connection, write)

    def publish(
        self, run: Run, kind: LiveKind, *, step_id: str | None = None, detail: str = ""
    ) -> None:
        """Tell live subscribers what happened to a run (never for dry runs)."""
        if self.on_event is None or run.dry_run:
            return
        self.on_event(
            LiveEvent(run.workspace_id, kind, run.workflow_id, run.id, step_id, detail=detail)
        )

    async def _load(self, session: AsyncSession, run_id: str) -> _RunState:
        found = (await session.exec(_LOAD, params={"run_id": run_id})).all()
        if not found:
            raise LookupError(f"run {run_id} not found")
        return await self._state(session, list(found))

    async def _state(self, session: AsyncSession, found: list[Any]) -> _RunState:
        """A run's state from its rows of `_LOAD` (one per step row, or one without)."""
        run, workflow, workspace, _ = found[0]
        rows = [step_row for *_, step_row in found if step_row is not None]
        spec = cached(run.version_id)
        if spec is None:
            version = await session.get(WorkflowVersion, run.version_id)
            assert version is not None
            spec = spec_of(version)
        done = {r.step_id: r for r in rows}
        written = run_writes.Written.loaded(run, rows)
        context: dict[str, Any] = {
            "trigger": run.trigger_payload,
            "steps": {r.step_id: r.output or {} for r in rows if r.status == StepStatus.succeeded},
            "workspace": {"id": workspace.id, "name": workspace.name, "slug": workspace.slug},
            "workflow": {"id": workflow.id, "name": workflow.name},
            "run": {"id": run.id, "dry_run": run.dry_run},
            "now": utcnow().isoformat(),
        }
        deleted = workspace.deleted_at is not None
        state = _RunState(
            run, spec, context, done, written, workflow.created_by, workspace_deleted=deleted
        )
        state.loaded = dict(written.run)
        return state

    async def _step(self, state: _RunState, position: int, step: Step, *, last: bool) -> bool:
        """Run one step; False when the run must now wait.

        The last step's success is left for `execute` to commit together with the run's.
        """
        run, existing = state.run, state.done.get(step.id)
        if existing and existing.status in (StepStatus.succeeded, StepStatus.skipped):
            return True
        if existing and existing.status == StepStatus.failed and step.continue_on_error:
            state.context["steps"][step.id] = existing.output or _failed_output(existing.error)
            return True
        if step.wait:
            return await self._wait(state, position, step, existing)
        if run.id in self.leases.lost:
            if state.deferred:  # the last step's outcome, as it would have been written at once
                await self._commit(state)
            raise _LeaseLost(run.id)
        if run_clock.past(state.deadline):
            raise StepFailed(run_clock.over_time(self.settings.run_max_seconds, step.id))
        if step.when is not None:
            try:
                go = evaluate(step.when, state.context)
            except Exception as exc:  # any error in a condition fails the step in words
                raise await self._fail(state, self._row(state, step, position), exc) from exc
            if not go:
                row = self._row(state, step, position)
                row.status, row.finished_at = StepStatus.skipped, utcnow()
                _event(state, step.id, "step_skipped", f"condition false: {step.when}")
                # Written with the next commit: the run's end, or before the next action.
                return True
        assert step.action is not None
        # Before any action has an effect the run is stored as running, and the earlier steps'
        # outcomes and skips recorded: now, or with the action's first write (before its effect).
        # This step's row is not in it: it is written with its outcome.
        ride_along = None
        if state.announce or state.events or state.deferred:
            if self._rides_along(state, step.action):
                ride_along = _RideAlong(self, state, step.id)
            else:
                await self._commit(state)
        row = existing or self._row(state, step, position)
        each: list[dict[str, Any]] = []
        try:
            action = self.registry.get(step.action)
            if step.for_each is not None:  # the inputs once per item, all before any effect
                items = _for_each_items(step.for_each, state.context)
                each = [
                    _render_item(step.inputs, state.context, item, index, action.integration)
                    for index, item in enumerate(items)
                ]
                inputs = dict(each[0]) if each else {}
                inputs.update({"for_each": step.for_each, "count": len(each)})
            else:
                inputs = render_inputs(step.inputs, state.context, markup=action.integration)
        except (UnknownActionError, InputsError) as exc:
            raise await self._fail(state, row, exc) from exc
        # Recorded with the step's outcome (one commit per step; the last step's is the run's): a
        # crash mid-step leaves the step unfinished either way, and its idempotency key keeps the
        # re-execution from repeating it. Start and finish live on the step row itself; events
        # record the rest (retries, failures, skips, waits), and `workflows.runs.run_events`
        # merges both into the timeline.
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
            extras={
                "requested_by": state.requested_by,
                "workspace": dict(state.context["workspace"]),
            },
            writer=self.writer,
            ride_along=ride_along,
            reads=self.reads,
        )

        async def attempt(number: int) -> Any:
            row.attempts = number
            if step.for_each is None:
                return await action.run(ctx, row.inputs)
            # Each item has its own idempotency key: a retry, or a run resumed after a crash,
            # does not repeat the items already delivered.
            outputs = []
            for index, item_inputs in enumerate(each):
                key = f"{row.idempotency_key}:{index}"
                result = await action.run(replace(ctx, idempotency_key=key), item_inputs)
                outputs.append(result.model_dump(mode="json"))
            return _EachOutput(items=outputs, count=len(outputs))

        async def on_retry(number: int, error: BaseException, delay: float) -> None:
            message = f"attempt {number} failed ({describe(error)}); retrying in {delay:.2f}s"
            _event(state, step.id, "step_retry", message)
            await self._commit(state)

        if existing is not None and existing.status == StepStatus.running:
            _event(state, step.id, "step_resumed", breakdowns.RESUMED)
        started = time.perf_counter()
        self.publish(run, "step.started", step_id=step.id, detail=step.action)
        try:  # each try is time-boxed, at the run's deadline at the latest
            output = await with_retries(
                attempt,
                step.retry,
                attempt_timeout=step.timeout_seconds or self.settings.step_timeout_seconds,
                scale=self.settings.retry_base_seconds,
                on_retry=on_retry,
                deadline=state.deadline,
            )
        except Exception as exc:
            row.duration_ms = (time.perf_counter() - started) * 1000
            if isinstance(exc, TimeoutError) and run_clock.past(state.deadline):
                why = run_clock.over_time(self.settings.run_max_seconds, step.id)
                raise await self._fail(state, row, exc, why) from exc
            if not step.continue_on_error or isinstance(exc, DeliveryUnknown):
                raise await self._fail(state, row, exc) from exc
            await self._fail(state, row, exc, continuing=True)
            row.output = _failed_output(row.error)
            state.context["steps"][step.id] = row.output
            state.announce.append(("step.finished", step.id, step.action))
            if not last:
                await self._commit(state)
            return True
        row.duration_ms = (time.perf_counter() - started) * 1000
        row.output = output.model_dump(mode="json")
        if step.continue_on_error:  # later steps may always ask whether it failed
            row.output["failed"] = False
        row.status, row.finished_at = StepStatus.succeeded, utcnow()
        state.context["steps"][step.id] = row.output
        state.announce.append(("step.finished", step.id, step.action))
        if not last:  # committed before the next action has any effect (see above)
            state.deferred = True
        return True

    def _rides_along(self, state: _RunState, name: str) -> bool:
        """Whether the run's pending writes may go with the first write of action `name`."""
        if self.writer is None or state.written.claim is not None:
            return False
        try:
            return self.registry.get(name).writes_first
        except UnknownActionError:
            return False

    async def _wait(
        self,
        state: _RunState,
        position: int,
        step: Step,
        existing: StepRun | None,
    ) -> bool:
        run = state.run
        if existing is not None:
            due = await self._due(state, step, existing)
            if due > utcnow():
                run_clock.pause(run, due)
                await self._commit(state)
                return False
            existing.status, existing.finished_at = StepStatus.succeeded, utcnow()
            existing.output = {"waited_until": due.isoformat()}
            state.context["steps"][step.id] = existing.output
            _event(state, step.id, "wait_over", "")
            await self._commit(state)  # with the run's "running"
            return True
        row = self._row(state, step, position)
        due = await self._due(state, step, row)
        if due <= utcnow():  # "24 hours before" a time already that close: no wait at all
            row.status, row.finished_at = StepStatus.succeeded, utcnow()
            row.output = {"waited_until": due.isoformat(), "already_due": True}
            state.context["steps"][step.id] = row.output
            _event(state, step.id, "wait_over", "the time had already come")
            await self._commit(state)
            return True
        row.status = StepStatus.waiting
        run_clock.pause(run, due)
        _event(state, step.id, "waiting", f"until {due.isoformat()}")
        await self._commit(state)
        if self.on_wait and not run.dry_run:
            await self.on_wait(run.id, due)
        return False

    async def _due(self, state: _RunState, step: Step, row: StepRun) -> datetime:
        """When the wait ends: after its length, or at the time the run's data names."""
        try:
            return due_at(step.wait or "", row.started_at, state.context)
        except WaitTimeError as exc:
            raise await self._fail(state, row, exc) from exc

    @staticmethod
    def _row(state: _RunState, step: Step, position: int) -> StepRun:
        values = {
            "workspace_id": state.run.workspace_id,
            "run_id": state.run.id,
            "step_id": step.id,
            "position": position,
            "action": step.action or "wait",
            "idempotency_key": f"{state.run.id}:{step.id}",
        }
        row = row_of(StepRun, values)  # written with Core statements only (`run_writes`)
        state.done[step.id] = row
        return row

    async def _fail(
        self,
        state: _RunState,
        row: StepRun,
        error: BaseException,
        why: str | None = None,
        *,
        continuing: bool = False,
    ) -> StepFailed:
        run = state.run
        why = why or describe(error)
        message = f"step {row.step_id} ({row.action}) failed: {why}"
        if continuing:
            message += " (the workflow goes on: this step may fail)"
        row.status = StepStatus.failed
        if isinstance(error, DeliveryUnknown):  # not a failure we know of: it may have gone
            row.status, message = StepStatus.unknown, f"step {row.step_id}: {why}"
        row.error, row.finished_at = why, utcnow()
        _event(state, row.step_id, "step_failed", message)  # committed with the run's
        log.warning("run %s: %s", run.id, message)
        return StepFailed(message)


class _RideAlong:
    """A run's pending writes, handed to an action that `writes_first`: its first write commits
    them in the same transaction (`integrations.base.ActionContext.write`), before its effect.
    Whatever it does not take is written with the step's own outcome, as usual."""

    def __init__(self, engine: Engine, state: _RunState, step_id: str) -> None:
        self.engine, self.state, self.step_id = engine, state, step_id
        self._saved: tuple[dict[str, Any], dict[str, dict[str, Any]], list[Any]] | None = None
        self._done = False

    def take(self) -> run_writes.Write | None:
        state = self.state
        if self._done or self._saved is not None or not (state.deferred or state.events
                                                         or state.announce):  # fmt: skip
            return None
        written = state.written
        self._saved = (written.run, dict(written.steps), list(state.events))
        earlier = {key: row for key, row in state.done.items() if key != self.step_id}
        write = run_writes.pending(written, state.run, earlier, state.events)
        state.events = []
        return write

    def committed(self) -> None:
        state, self._saved, self._done = self.state, None, True
        state.deferred = False
        announce, state.announce = state.announce, []
        for kind, step_id, detail in announce:
            self.engine.publish(state.run, kind, step_id=step_id, detail=detail)

    def failed(self) -> None:
        if self._saved is None:
            return
        run, steps, events = self._saved
        self._saved = None
        written = self.state.written
        written.run, written.steps = run, steps
        self.state.events = events + self.state.events


def _handed_state(handed: Handed) -> _RunState:
    """The state `_load` would read for a run just created (no step rows yet)."""
    run = row_of(Run, handed.values)
    context: dict[str, Any] = {
        "trigger": run.trigger_payload,
        "steps": {},
        "workspace": dict(handed.workspace),
        "workflow": dict(handed.workflow),
        "run": {"id": run.id, "dry_run": run.dry_run},
        "now": utcnow().isoformat(),
    }
    written = run_writes.Written(run_writes.run_values(run))
    state = _RunState(run, handed.spec, context, {}, written, handed.created_by)
    state.loaded = dict(written.run)
    return state


async def _in_transaction(connection: AsyncConnection, write: run_writes.Write) -> bool:
    async with connection.begin():
        return await write(connection)


def _failed_output(error: str | None) -> dict[str, Any]:
    """What a step that may fail leaves for later steps when it did."""
    return {"failed": True, "error": error or "failed"}


def _event(state: _RunState, step_id: str | None, kind: str, message: str) -> None:
    """Note a timeline event; written with the next commit (in one INSERT with any others)."""
    run = state.run
    state.events.append(
        {
            "workspace_id": run.workspace_id,
            "run_id": run.id,
            "step_id": step_id,
            "kind": kind,
            "message": message,
            "at": utcnow(),
        }
    )


MAX_EACH_ITEMS = 500


class _EachOutput(BaseModel):
    """A `for_each` step's output: each item's action output, in order, and how many ran."""

    items: list[Any]
    count: int


def _for_each_items(source: str, context: dict[str, Any]) -> list[Any]:
    """The list a step's `for_each` names (None is no items); InputsError in words otherwise."""
    try:
        value = value_of(source, context)
    except Exception as exc:  # an expression is data: whatever it raises, the step fails in words
        why = str(exc) if isinstance(exc, ExpressionError) else describe(exc)
        raise InputsError(f"Could not find the list to repeat over: {why}") from exc
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InputsError(f"for_each gave {_kind(value)}, not a list of items to repeat over")
    if len(value) > MAX_EACH_ITEMS:
        raise InputsError(
            f"for_each gave {len(value)} items; a step repeats for at most {MAX_EACH_ITEMS}"
        )
    return list(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a piece of text"
    if isinstance(value, dict):
        return "a single record"
    return f"a {type(value).__name__}"


def _render_item(
    inputs: dict[str, Any], context: dict[str, Any], item: Any, index: int, markup: str
) -> dict[str, Any]:
    """A step's inputs filled in for one item of its `for_each` list."""
    try:
        rendered = render_inputs(
            inputs, {**context, "item": item, "item_index": index}, markup=markup
        )
    except InputsError as exc:
        raise InputsError(f"Item {index + 1}: {exc}") from exc
    return rendered if isinstance(rendered, dict) else {}
