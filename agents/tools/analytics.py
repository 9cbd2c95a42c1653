"""Figures from stored runs and CRM contacts: a run's outcome, health, failures, new leads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import col

from storage.models import (
    Approval,
    CrmContact,
    Decision,
    Run,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowStatus,
)
from storage.scope import Tenant
from storage.types import utcnow
from workflows.runtime import Runtime


@dataclass(frozen=True)
class RunReport:
    """One run's outcome: status, steps by status, duration, first error."""

    run_id: str
    workflow_name: str
    status: str
    steps_total: int
    steps_by_status: dict[str, int]
    duration_ms: float | None
    error: str | None
    failed_step: str | None


@dataclass(frozen=True)
class Health:
    """Runs over a period for the workspace, plus active workflows and pending approvals."""

    days: int
    runs: int
    succeeded: int
    failed: int
    active_workflows: int
    pending_approvals: int
    per_workflow: dict[str, int] = field(default_factory=dict)

    @property
    def success_rate(self) -> float | None:
        """Percent of finished runs that succeeded (None when none finished)."""
        finished = self.succeeded + self.failed
        return round(100 * self.succeeded / finished, 1) if finished else None


@dataclass(frozen=True)
class Failure:
    """A workflow's failed runs in a period, with its latest error and failing step."""

    workflow_name: str
    count: int
    last_error: str | None
    failed_step: str | None


async def run_report(
    runtime: Runtime, workspace_id: str, run_id: str | None, workflow_id: str | None
) -> RunReport | None:
    """The given run, else the latest run of the workflow, else the workspace's latest run."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        run = await tenant.get(Run, run_id) if run_id else None
        if run is None:
            query = tenant.select(Run).where(Run.dry_run == False)  # noqa: E712
            if workflow_id:
                query = query.where(Run.workflow_id == workflow_id)
            run = await tenant.first(query.order_by(col(Run.created_at).desc()))
        if run is None:
            return None
        steps = list(await tenant.all(tenant.select(StepRun).where(StepRun.run_id == run.id)))
        workflow = await tenant.get(Workflow, run.workflow_id)
    failed = next((s for s in steps if s.status == StepStatus.failed), None)
    duration = None
    if run.started_at and run.finished_at:
        duration = (run.finished_at - run.started_at).total_seconds() * 1000
    return RunReport(
        run_id=run.id,
        workflow_name=workflow.name if workflow else run.workflow_id,
        status=run.status.value,
        steps_total=len(steps),
        steps_by_status=dict(Counter(s.status.value for s in steps)),
        duration_ms=duration,
        error=(run.error or "").splitlines()[0][:300] if run.error else None,
        failed_step=failed.step_id if failed else None,
    )


async def health(runtime: Runtime, workspace_id: str, days: int) -> Health:
    """Run counts over the last `days` days, per status and per workflow."""
    since = utcnow() - timedelta(days=days)
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        runs = list(
            await tenant.all(
                tenant.select(Run).where(col(Run.created_at) >= since, Run.dry_run == False)  # noqa: E712
            )
        )
        names = {w.id: w.name for w in await tenant.all(tenant.select(Workflow))}
        active = await tenant.count(
            tenant.select(Workflow).where(Workflow.status == WorkflowStatus.active)
        )
        pending = await tenant.count(
            tenant.select(Approval).where(Approval.decision == Decision.pending)
        )
    statuses = Counter(r.status for r in runs)
    per_workflow = Counter(names.get(r.workflow_id, r.workflow_id) for r in runs)
    return Health(
        days=days,
        runs=len(runs),
        succeeded=statuses[RunStatus.succeeded],
        failed=statuses[RunStatus.failed],
        active_workflows=active,
        pending_approvals=pending,
        per_workflow=dict(per_workflow.most_common()),
    )


async def failures(runtime: Runtime, workspace_id: str, days: int) -> list[Failure]:
    """Failed runs of the last `days` days grouped by workflow, most failures first."""
    since = utcnow() - timedelta(days=days)
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        failed = list(
            await tenant.all(
                tenant.select(Run)
                .where(col(Run.created_at) >= since, Run.status == RunStatus.failed)
                .order_by(col(Run.created_at).desc())
            )
        )
        names = {w.id: w.name for w in await tenant.all(tenant.select(Workflow))}
        result: list[Failure] = []
        counts = Counter(r.workflow_id for r in failed)
        for workflow_id, count in counts.most_common():
            latest = next(r for r in failed if r.workflow_id == workflow_id)
            step = await tenant.first(
                tenant.select(StepRun).where(
                    StepRun.run_id == latest.id, StepRun.status == StepStatus.failed
                )
            )
            error = (latest.error or "").splitlines()[0][:300] if latest.error else None
            result.append(
                Failure(
                    names.get(workflow_id, workflow_id),
                    count,
                    error,
                    step.step_id if step else None,
                )
            )
    return result


async def new_leads(runtime: Runtime, workspace_id: str, days: int) -> tuple[int, dict[str, int]]:
    """CRM contacts created in the last `days` days, and how many came from each source."""
    since = utcnow() - timedelta(days=days)
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        contacts = await tenant.all(
            tenant.select(CrmContact).where(col(CrmContact.created_at) >= since)
        )
    sources = Counter(c.source or "unknown" for c in contacts)
    return len(contacts), dict(sources.most_common())
