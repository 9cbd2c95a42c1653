"""Approval routes: the queue, and approve/reject (role checked against the class)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col

from bot.api.deps import PrincipalDep, RuntimeDep, TenantDep
from bot.api.responses import AUTHENTICATED
from bot.api.schemas import ApprovalOut, Decision, WorkflowOut
from bot.api.workflows import describe
from storage.models import Approval
from workflows import service

router = APIRouter(prefix="/api/approvals", tags=["approvals"], responses=AUTHENTICATED)


@router.get("")
async def list_approvals(tenant: TenantDep, decision: str | None = "pending") -> list[ApprovalOut]:
    """Approval requests (pending by default; `decision=` for all)."""
    query = tenant.select(Approval).order_by(col(Approval.created_at).desc())
    if decision:
        query = query.where(Approval.decision == decision)
    return [ApprovalOut.of(a) for a in await tenant.all(query)]


@router.post("/{approval_id}/approve")
async def approve(
    approval_id: str,
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    body: Decision | None = None,
) -> WorkflowOut:
    """Approve: the version becomes the one that runs, and its trigger is registered."""
    body = body or Decision()
    proposal = await service.decide(
        tenant,
        approval_id,
        principal.member,
        approve=True,
        reason=body.reason,
        confirm=body.confirm,
    )
    await tenant.session.commit()
    runtime.live.approval_changed(proposal.approval)
    await runtime.sync_workflow(proposal.workflow)
    return await describe(tenant, proposal.workflow, runtime)


@router.post("/{approval_id}/reject")
async def reject(
    approval_id: str,
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    body: Decision | None = None,
) -> WorkflowOut:
    """Reject: the version never runs."""
    body = body or Decision()
    proposal = await service.decide(
        tenant, approval_id, principal.member, approve=False, reason=body.reason
    )
    await tenant.session.commit()
    runtime.live.approval_changed(proposal.approval)
    return await describe(tenant, proposal.workflow, runtime)
