"""Stored versions as the assistant uses them: the spec a change starts from, the latest card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col

from storage.models import Approval, VersionState, WorkflowStatus, WorkflowVersion
from storage.scope import Tenant
from workflows import service
from workflows.runtime import Runtime


@dataclass(frozen=True)
class Working:
    """A stored workflow's spec to work on, and the approval of the version it came from."""

    workflow_id: str
    name: str
    status: WorkflowStatus
    spec: dict[str, Any]
    approval_id: str | None


async def working_copy(runtime: Runtime, workspace_id: str, workflow_id: str) -> Working:
    """The version waiting for approval, else the active one, else the latest (NotFound if gone)."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        workflow = await service.get_workflow(tenant, workflow_id)
        versions = await tenant.all(
            tenant.select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow_id)
            .order_by(col(WorkflowVersion.version).desc())
        )
        chosen = (
            next((v for v in versions if v.state == VersionState.pending), None)
            or next((v for v in versions if v.version == workflow.active_version), None)
            or versions[0]
        )
        approval = await tenant.first(
            tenant.select(Approval)
            .where(Approval.version_id == chosen.id)
            .order_by(col(Approval.created_at).desc())
        )
    return Working(
        workflow.id,
        workflow.name,
        workflow.status,
        dict(chosen.spec),
        approval.id if approval else None,
    )
