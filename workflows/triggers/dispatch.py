"""Fan one inbound event out to a workspace's active workflows whose trigger matches it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_
from sqlmodel import col

from storage.models import Run, Workflow, WorkflowStatus, WorkflowVersion
from storage.scope import Tenant
from workflows.runs import start_run
from workflows.spec import WorkflowSpec
from workflows.versions import spec_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """An active workflow, the id of its approved version and that version's spec."""

    workflow_id: str
    version_id: str
    spec: WorkflowSpec


@dataclass
class Outcome:
    """What one delivery did for one workflow: a new run, a duplicate, or a skip and why."""

    workflow_id: str
    run_id: str | None = None
    created: bool = False
    skipped: str | None = None


@dataclass
class Dispatched:
    """Every workflow's outcome, or the reason nothing was considered at all."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped: str | None = None

    @property
    def new_run_ids(self) -> list[str]:
        """Runs this delivery created (the caller submits them)."""
        return [o.run_id for o in self.outcomes if o.created and o.run_id]

    @property
    def duplicate_run_ids(self) -> list[str]:
        """Runs an earlier delivery of the same event created."""
        return [o.run_id for o in self.outcomes if not o.created and o.run_id]

    def reason(self) -> str | None:
        """Why no run was started by this delivery (None when one was)."""
        if self.new_run_ids:
            return None
        if self.skipped:
            return self.skipped
        return "; ".join(f"{o.workflow_id}: {o.skipped}" for o in self.outcomes if o.skipped)


Guard = Callable[[Tenant, Candidate], Awaitable[str | None]]


async def active_candidates(tenant: Tenant, trigger_type: str) -> list[Candidate]:
    """The workspace's active workflows whose approved version has this trigger type."""
    on_active = and_(
        col(Workflow.id) == WorkflowVersion.workflow_id,
        col(Workflow.active_version) == WorkflowVersion.version,
    )
    query = (
        tenant.select(WorkflowVersion)
        .join(Workflow, on_active)
        .where(Workflow.status == WorkflowStatus.active)
        .order_by(col(Workflow.created_at))
    )
    found: list[Candidate] = []
    for version in await tenant.all(query):
        spec = spec_of(version)
        if spec.trigger.type == trigger_type:
            found.append(Candidate(version.workflow_id, version.id, spec))
    return found


async def run_with_key(tenant: Tenant, workflow_id: str, key: str) -> Run | None:
    """The workflow's run recorded under this idempotency key, if any."""
    query = tenant.select(Run).where(Run.workflow_id == workflow_id, Run.idempotency_key == key)
    return await tenant.first(query)


async def dispatch(
    tenant: Tenant,
    matching: list[Candidate],
    *,
    trigger_type: str,
    payload: dict[str, Any],
    key: str,
    guard: Guard | None = None,
) -> Dispatched:
    """Start one run per matching workflow, deduped on `key`; `guard` may veto a workflow."""
    result = Dispatched()
    for candidate in matching:
        outcome = Outcome(candidate.workflow_id)
        result.outcomes.append(outcome)
        existing = await run_with_key(tenant, candidate.workflow_id, key)
        if existing is not None:
            outcome.run_id, outcome.skipped = existing.id, f"duplicate delivery ({key})"
            continue
        reason = await guard(tenant, candidate) if guard else None
        workflow = await tenant.get(Workflow, candidate.workflow_id)
        version = await tenant.get(WorkflowVersion, candidate.version_id)
        if workflow is None or version is None or workflow.status != WorkflowStatus.active:
            reason = reason or "workflow is no longer active"
        if reason:
            log.info(
                "%s trigger skipped workflow %s: %s", trigger_type, candidate.workflow_id, reason
            )
            outcome.skipped = reason
            continue
        assert workflow is not None and version is not None
        started = await start_run(
            tenant,
            workflow,
            trigger_type=trigger_type,
            payload=payload,
            idempotency_key=key,
            version=version,
        )
        outcome.run_id, outcome.created = started.run.id, started.created
        if not started.created:
            outcome.skipped = f"duplicate delivery ({key})"
    return result
