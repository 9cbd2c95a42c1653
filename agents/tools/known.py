"""The workspace's workflows as the assistant weighs them when a message refers to one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col

from storage.models import Approval, Decision, VersionState, Workflow, WorkflowStatus
from storage.models import WorkflowVersion as Version
from storage.scope import Tenant
from workflows import service
from workflows.runtime import Runtime


@dataclass(frozen=True)
class Known:
    """A workflow someone may mean: `rejected` when it is a rejected (or discarded) draft."""

    id: str
    name: str
    status: WorkflowStatus
    rejected: bool = False
    pending_approval: str | None = None
    about: str = ""  # the request it was drafted from: "the monday one" finds it by its words


async def known_workflows(runtime: Runtime, workspace_id: str) -> list[Known]:
    """Every workflow of the workspace (newest first) with its waiting approval, if any."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        workflows = await service.list_workflows(tenant)
        waiting = await tenant.all(
            tenant.select(Approval)
            .where(Approval.decision == Decision.pending)
            .order_by(col(Approval.created_at))
        )
        rejected = await _rejected_drafts(tenant, workflows)
        about = await _requests(tenant, workflows)
    pending = {approval.workflow_id: approval.id for approval in waiting}
    return [
        Known(w.id, w.name, w.status, w.id in rejected, pending.get(w.id), about.get(w.id, ""))
        for w in workflows
    ]


async def _requests(tenant: Tenant, workflows: list[Workflow]) -> dict[str, str]:
    """Each workflow's description (the request it was drafted from), from its latest version."""
    latest = {w.id: w.latest_version for w in workflows}
    if not latest:
        return {}
    versions = await tenant.all(
        tenant.select(Version).where(col(Version.workflow_id).in_(list(latest)))
    )
    return {
        v.workflow_id: str(v.spec.get("description") or "")
        for v in versions
        if latest.get(v.workflow_id) == v.version
    }


async def _rejected_drafts(tenant: Tenant, workflows: list[Workflow]) -> set[str]:
    """Workflows never approved whose latest version was rejected."""
    drafts = {
        w.id: w.latest_version
        for w in workflows
        if w.status == WorkflowStatus.draft and w.active_version is None
    }
    if not drafts:
        return set()
    versions = await tenant.all(
        tenant.select(Version).where(
            col(Version.workflow_id).in_(list(drafts)), Version.state == VersionState.rejected
        )
    )
    return {v.workflow_id for v in versions if drafts.get(v.workflow_id) == v.version}
