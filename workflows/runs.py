"""Recording runs: start one (deduped by idempotency key) and read them back with their steps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.group_commit import WRITER_KEY, GroupWriter, insert_rows
from storage.models import (
    Member,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
)
from storage.rows import row_of
from storage.scope import Tenant
from workflows import service
from workflows.errors import Conflict, NotFound
from workflows.handover import Lease
from workflows.queue import SESSION_KEY, RunQueue, enqueue_new
from workflows.service import active_version

RunGate = Callable[[Tenant], Awaitable[str | None]]
"""Why a new run may not start now (a sentence), or None: the plan's limits, set by the app."""


@dataclass
class StartedRun:
    """A run and whether this call created it (False: an earlier delivery did)."""

    run: Run
    created: bool
    # A new run's columns as inserted (None for an earlier run), and whether it was inserted
    # claimed by this process's engine (`workflows.handover.Lease`).
    values: dict[str, Any] | None = None
    claimed: bool = False


async def start_run(
    tenant: Tenant,
    workflow: Workflow,
    *,
    trigger_type: str,
    payload: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    dry_run: bool = False,
    require_active: bool = True,
    version: WorkflowVersion | None = None,
    version_id: str | None = None,
    poll_problem: str | None = None,
    lease: Lease | None = None,
) -> StartedRun:
    """Record a queued run of the workflow's approved version (commits; safe under races).

    `version` or `version_id` (of the approved version) spare a lookup when the caller has it;
    `poll_problem`: the run only reports why its poll could not look, and fails with it.
    With `lease` (the caller's engine executes the run itself) the run is inserted claimed by
    that engine: running, leased to it, so no separate claim is written. With a run queue the
    job's worker claims it: `lease` is then ignored."""
    if require_active and workflow.status != WorkflowStatus.active and not dry_run:
        raise Conflict(f"workflow is {workflow.status.value}, not active")
    if idempotency_key:
        existing = await _by_key(tenant, workflow.id, idempotency_key)
        if existing:
            return StartedRun(existing, False)
    if version_id is None:
        version_id = (version or await active_version(tenant, workflow)).id
    given = {
        "workspace_id": tenant.workspace_id,
        "workflow_id": workflow.id,
        "version_id": version_id,
        "trigger_type": trigger_type,
        "trigger_payload": payload or {},
        "idempotency_key": idempotency_key,
        "dry_run": dry_run,
        "poll_problem": poll_problem,
    }
    run = row_of(Run, given)  # as `Run(**given)`, cheaper (`storage.rows`)
    session = tenant.session
    workflow_id = workflow.id  # the rollback below expires loaded rows
    values = run_values(run)
    claimed = lease is not None and session.info.get(SESSION_KEY) is None
    if claimed:
        assert lease is not None
        lease.claimed(values)
    try:
        await _insert(session, run.id, values)
    except IntegrityError:
        await session.rollback()
        existing = await _by_key(tenant, workflow_id, idempotency_key or "")
        if existing is None:
            raise
        return StartedRun(existing, False)
    # Stored: the session keeps it as a loaded row (every column loaded), so a caller's later
    # change is an UPDATE of that column and reading one needs no query.
    make_transient_to_detached(run)
    for name, value in values.items():
        set_committed_value(run, name, value)
    session.add(run)
    return StartedRun(run, True, values, claimed)


async def _insert(session: AsyncSession, run_id: str, values: dict[str, Any]) -> None:
    """INSERT the run (one cached Core statement, no unit of work) and commit.

    With a run queue its job is written in the same transaction. When the session has nothing
    else to commit and the runtime has a group writer, the run (and its job) shares a
    transaction with other writes of the same moment (`storage.group_commit`): the new runs of
    that transaction go to the queue as jobs of several runs. The call returns after its commit.
    """
    writer = session.info.get(WRITER_KEY)
    queue = session.info.get(SESSION_KEY)
    queue = queue if isinstance(queue, RunQueue) else None
    pending = bool(session.new or session.dirty or session.deleted)
    if isinstance(writer, GroupWriter) and not pending:
        await session.commit()  # ends the session's read snapshot; nothing of its own to write
        await writer.write(partial(_insert_on, values=values, queue=queue))
        return
    await _insert_on(await session.connection(), values, queue)
    await session.commit()


async def _insert_on(
    connection: AsyncConnection, values: dict[str, Any], queue: RunQueue | None = None
) -> None:
    # On the group writer: with the other runs of its transaction, in one statement at its end,
    # and their jobs after them.
    await insert_rows(connection, _INSERT_RUN, [values])
    if queue is not None:
        await enqueue_new(connection, queue, values["id"])


_INSERT_RUN = insert(Run)
_RUN_COLUMNS = tuple(c.name for c in Run.__table__.columns)  # type: ignore[attr-defined]


def run_values(run: Run) -> dict[str, Any]:
    """Every column of a new run, for its INSERT."""
    return {name: getattr(run, name) for name in _RUN_COLUMNS}


async def _by_key(tenant: Tenant, workflow_id: str, key: str) -> Run | None:
    return await tenant.first(
        tenant.select(Run).where(Run.workflow_id == workflow_id, Run.idempotency_key == key)
    )


async def answer_of(tenant: Tenant, run_id: str, step_id: str | None) -> dict[str, Any] | None:
    """The output a "when done" webhook answers with: `step_id`'s, else the last step's that
    left one (a skipped step leaves none); None when no such step left an output."""
    steps = await run_steps(tenant, run_id)
    return answer_from([(s.step_id, s.output) for s in steps], step_id)


def answer_from(
    outputs: list[tuple[str, dict[str, Any] | None]], step_id: str | None
) -> dict[str, Any] | None:
    """`answer_of` from the steps' (id, output) in step order, as the engine left them."""
    if step_id is not None:
        return next((output for sid, output in outputs if sid == step_id), None)
    return next((output for _, output in reversed(outputs) if output is not None), None)


async def get_run(tenant: Tenant, run_id: str) -> Run:
    """The run, or NotFound."""
    run = await tenant.get(Run, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


async def run_steps(tenant: Tenant, run_id: str) -> list[StepRun]:
    """A run's steps in order."""
    query = tenant.select(StepRun).where(StepRun.run_id == run_id)
    return list(await tenant.all(query.order_by(col(StepRun.position))))


async def run_events(tenant: Tenant, run_id: str) -> list[RunEvent]:
    """A run's timeline, oldest first: each step's start and finish plus the stored events."""
    query = tenant.select(RunEvent).where(RunEvent.run_id == run_id)
    events = list(await tenant.all(query.order_by(col(RunEvent.id))))
    for step in await run_steps(tenant, run_id):
        if step.action == "wait":
            continue
        events.append(_event(step, "step_started", step.action, step.started_at))
        if step.status == StepStatus.succeeded and step.finished_at:
            took = f"{step.duration_ms:.1f} ms" if step.duration_ms is not None else ""
            events.append(_event(step, "step_succeeded", took, step.finished_at))
    return sorted(events, key=lambda e: (e.at, e.kind != "step_started"))


def _event(step: StepRun, kind: str, message: str, at: datetime) -> RunEvent:
    return RunEvent(
        workspace_id=step.workspace_id,
        run_id=step.run_id,
        step_id=step.step_id,
        kind=kind,
        message=message,
        at=at,
    )


async def list_runs(
    tenant: Tenant, *, workflow_id: str | None = None, status: str | None = None, limit: int = 50
) -> list[Run]:
    """Runs newest first, optionally for one workflow or status."""
    query = tenant.select(Run)
    if workflow_id:
        query = query.where(Run.workflow_id == workflow_id)
    if status:
        query = query.where(Run.status == status)
    return list(await tenant.all(query.order_by(col(Run.created_at).desc()).limit(limit)))


async def retry_failed(tenant: Tenant, member: Member, run_id: str) -> tuple[Workflow, StartedRun]:
    """Run a failed run's workflow again with the same trigger payload, once per failed run.

    The new run is keyed `retry:<failed run id>`, so a second click finds the first retry
    (`created` is False); a new one is audited. The caller commits and submits it.
    """
    service.require_operator(member, "retry runs")
    failed = await get_run(tenant, run_id)
    if failed.status != RunStatus.failed:
        raise Conflict("only a failed run can be retried")
    workflow = await service.get_workflow(tenant, failed.workflow_id)
    started = await start_run(
        tenant,
        workflow,
        trigger_type="manual",
        payload=dict(failed.trigger_payload),
        idempotency_key=f"retry:{failed.id}",
    )
    if started.created:
        service.audit(tenant, member, "run.retried", workflow.id, run_id=failed.id)
    return workflow, started


async def run_manually(
    tenant: Tenant,
    member: Member,
    workflow: Workflow,
    *,
    payload: dict[str, Any] | None = None,
    dry_run: bool = False,
    idempotency_key: str | None = None,
) -> StartedRun:
    """ "Run now" from any front: the member must be an operator; a new run is audited.

    The caller commits and submits it (or executes it inline); a repeated key starts nothing.
    """
    service.require_operator(member, "run workflows")
    started = await start_run(
        tenant,
        workflow,
        trigger_type="manual",
        payload=payload,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )
    if started.created:
        started.run.requested_by = member.id
        service.audit(tenant, member, "workflow.run", workflow.id, run_id=started.run.id)
    return started
