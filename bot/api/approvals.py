"""Approval routes: the queue, and approve/reject (role checked against the class)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import col

from bot.api.deps import PrincipalDep, RuntimeDep, TenantDep
from bot.api.responses import AUTHENTICATED
from bot.api.schemas import ApprovalOut, Decision, WorkflowOut
from bot.api.workflows import describe
from bot.confirmations import email_confirmation
from storage.models import Approval, Workspace
from workflows import service

router = APIRouter(prefix="/api/approvals", tags=["approvals"], responses=AUTHENTICATED)


@router.get("")
async def list_approvals(tenant: TenantDep, decision: str | None = "pending") -> list[ApprovalOut]:
    """Approval requests (pending by default; `decision=` for all)."""
    query = tenant.select(Approval).order_by(col(Approval.created_at).desc())
    if decision:
        query = query.where(Approval.decision == decision)
    return [ApprovalOut.of(a) for a in await tenant.all(query)]


_EMAILED: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "A lone owner's own class C request: the name matched and a single-use "
        "confirmation link was emailed to them; opening it approves.",
        "content": {"application/json": {"example": {"status": "confirmation_emailed",
                                                     "message": "We emailed ..."}}},
    }
}  # fmt: skip


@router.post("/{approval_id}/approve", response_model=WorkflowOut, responses=_EMAILED)
async def approve(
    approval_id: str,
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    body: Decision | None = None,
) -> Any:
    """Approve: the version becomes the one that runs, and its trigger is registered.

    The rules are `workflows.policy`'s: `confirm` where a confirmation is needed, `typed_name`
    (the workflow's name) for a lone owner's own class C, which then waits for the emailed link.
    """
    body = body or Decision()
    proposal = await service.decide(
        tenant,
        approval_id,
        principal.member,
        approve=True,
        reason=body.reason,
        confirm=body.confirm,
        typed_name=body.typed_name,
    )
    await tenant.session.commit()
    if proposal.confirmation is not None:
        workspace = await tenant.session.get(Workspace, tenant.workspace_id)
        assert workspace is not None
        message = await email_confirmation(runtime, workspace, proposal)
        body_out = {
            "status": "confirmation_emailed",
            "message": message,
            "approval_id": approval_id,
        }
        return JSONResponse(body_out, status_code=202)
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
