"""What the workflow library shows: rows with last run and 7-day counts, flash messages, times.

The library stays fast with hundreds of workflows and thousands of runs: the latest versions,
the last runs and the 7-day counts each come from one grouped query, never one per workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from storage.models import Run, Workflow, WorkflowStatus, WorkflowVersion
from storage.scope import Tenant
from storage.types import utcnow
from workflows.describe import trigger_words

STATUS_LABELS = {
    WorkflowStatus.draft: "Draft",
    WorkflowStatus.pending_approval: "Pending approval",
    WorkflowStatus.active: "Active",
    WorkflowStatus.paused: "Paused",
    WorkflowStatus.archived: "Archived",
}


@dataclass
class WorkflowRow:
    """One line of the library: the workflow and what is known about its runs."""

    workflow: Workflow
    approval_class: str | None
    trigger: str
    last_run: Run | None
    runs_7d: int


def safe_back(target: str, default: str = "/workflows") -> str:
    """Only our own library pages are places to go back to."""
    if target.startswith("/workflows") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """A time as "just now", "5 min ago", "3 h ago", "2 days ago" or a date."""
    if when is None:
        return "never"
    seconds = ((now or utcnow()) - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 30 * 86400:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days != 1 else ''} ago"
    return when.strftime("%d %b %Y")


async def status_counts(tenant: Tenant) -> dict[str, int]:
    """How many workflows this workspace has in each status (one grouped query)."""
    query = (
        select(Workflow.status, func.count())
        .where(Workflow.workspace_id == tenant.workspace_id)
        .group_by(Workflow.status)
    )
    counts = dict.fromkeys((s.value for s in WorkflowStatus), 0)
    for status, count in (await tenant.session.exec(query)).all():
        counts[str(status)] = int(count)
    return counts


async def library_rows(
    tenant: Tenant, status: str | None = None, search: str | None = None
) -> list[WorkflowRow]:
    """The workspace's workflows, newest first, filtered by status and a search text."""
    query = tenant.select(Workflow).order_by(col(Workflow.created_at).desc())
    if status:
        query = query.where(Workflow.status == status)
    for term in (search or "").lower().split()[:8]:
        pattern = f"%{term}%"
        query = query.where(
            or_(
                func.lower(Workflow.name).like(pattern),
                func.lower(func.coalesce(Workflow.category, "")).like(pattern),
                func.lower(func.coalesce(Workflow.template_id, "")).like(pattern),
            )
        )
    workflows = list(await tenant.all(query))
    if not workflows:
        return []
    versions = await _latest_versions(tenant)
    last_runs = await _last_runs(tenant)
    recent = await _runs_since(tenant, utcnow() - timedelta(days=7))
    rows = []
    for workflow in workflows:
        version = versions.get(workflow.id)
        trigger = version.spec.get("trigger", {}) if version else {}
        rows.append(
            WorkflowRow(
                workflow,
                version.approval_class if version else None,
                trigger_words(trigger) if version else "not drafted yet",
                last_runs.get(workflow.id),
                recent.get(workflow.id, 0),
            )
        )
    return rows


async def _latest_versions(tenant: Tenant) -> dict[str, WorkflowVersion]:
    query = tenant.select(WorkflowVersion).join(
        Workflow,
        and_(
            col(Workflow.id) == col(WorkflowVersion.workflow_id),
            col(Workflow.latest_version) == col(WorkflowVersion.version),
        ),
    )
    return {version.workflow_id: version for version in await tenant.all(query)}


async def _last_runs(tenant: Tenant) -> dict[str, Run]:
    latest = (
        select(col(Run.workflow_id).label("workflow_id"), func.max(Run.created_at).label("at"))
        .where(Run.workspace_id == tenant.workspace_id)
        .group_by(col(Run.workflow_id))
        .subquery()
    )
    query = tenant.select(Run).join(
        latest,
        and_(
            col(Run.workflow_id) == latest.c.workflow_id,
            col(Run.created_at) == latest.c.at,
        ),
    )
    runs: dict[str, Run] = {}
    for run in await tenant.all(query):
        kept = runs.get(run.workflow_id)
        if kept is None or run.id > kept.id:
            runs[run.workflow_id] = run
    return runs


async def _runs_since(tenant: Tenant, since: datetime) -> dict[str, int]:
    query = (
        select(Run.workflow_id, func.count())
        .where(Run.workspace_id == tenant.workspace_id, col(Run.created_at) >= since)
        .group_by(col(Run.workflow_id))
    )
    return {str(wid): int(n) for wid, n in (await tenant.session.exec(query)).all()}


def trigger_links(
    workflow: Workflow, spec: dict[str, Any] | None, public_url: str
) -> tuple[str | None, str | None]:
    """The webhook URL and hosted form URL of a webhook-triggered workflow (else None)."""
    trigger = (spec or {}).get("trigger", {})
    if trigger.get("type") != "webhook":
        return None, None
    base = public_url.rstrip("/")
    hook = f"{base}/hooks/{workflow.id}/{workflow.webhook_secret}"
    return hook, (f"{base}/f/{workflow.id}" if trigger.get("form") else None)
