"""Approval cards as they stand now: the card's current data and where its version is in life.

A card is one stored version sent for approval. Its state follows the data, so a transcript shows
each card as it is today: waiting, approved (active or paused), rejected, replaced by a newer
version, archived with its workflow, or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlmodel import col

from agents.approval import ApprovalRequest
from agents.tools.approvals import approval_request
from storage.models import (
    Approval,
    Decision,
    Member,
    VersionState,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
)
from storage.scope import Tenant
from workflows.runtime import Runtime

CardKind = Literal["pending", "active", "paused", "rejected", "superseded", "archived", "deleted"]


@dataclass(frozen=True)
class CardState:
    """One card now: its kind, its current data (None once deleted), who decided, and whether its
    version is the workflow's latest (only the latest rejected version can be reopened)."""

    approval_id: str
    kind: CardKind
    card: ApprovalRequest | None = None
    decided_by: str | None = None
    reason: str | None = None
    latest: bool = False


async def card_states(
    runtime: Runtime, workspace_id: str, approval_ids: Iterable[str]
) -> dict[str, CardState]:
    """The current state of each card (unknown or deleted ids come back as "deleted")."""
    wanted = list(dict.fromkeys(approval_ids))
    states: dict[str, CardState] = {}
    if not wanted:
        return states
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        rows = await tenant.all(tenant.select(Approval).where(col(Approval.id).in_(wanted)))
        for approval in rows:
            states[approval.id] = await _state(tenant, approval)
    return {i: states.get(i) or CardState(i, "deleted") for i in wanted}


async def _state(tenant: Tenant, approval: Approval) -> CardState:
    version = await tenant.get(WorkflowVersion, approval.version_id)
    workflow = await tenant.get(Workflow, approval.workflow_id)
    if version is None or workflow is None:
        return CardState(approval.id, "deleted")
    card = await approval_request(tenant, approval)
    decider = await tenant.get(Member, approval.decided_by) if approval.decided_by else None
    return CardState(
        approval.id,
        _kind(approval, version, workflow),
        card=card,
        decided_by=decider.name if decider else None,
        reason=approval.reason,
        latest=version.version == workflow.latest_version,
    )


def _kind(approval: Approval, version: WorkflowVersion, workflow: Workflow) -> CardKind:
    if workflow.status == WorkflowStatus.archived:
        return "archived"
    if approval.decision == Decision.pending:
        return "pending"
    if approval.decision == Decision.rejected:
        superseded = version.state == VersionState.superseded or approval.decided_by is None
        return "superseded" if superseded else "rejected"
    if workflow.active_version != version.version:
        return "superseded"
    return "paused" if workflow.status == WorkflowStatus.paused else "active"
