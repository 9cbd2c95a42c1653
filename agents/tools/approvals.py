"""Approval tools: store a draft for approval (idempotent per key) and record a decision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import select

from agents.approval import ApprovalRequest, ApprovalResponse, SampleCard, StepCard
from agents.tools.members import load_member, who_may_approve
from agents.unsupported import spec_text, translation_note
from storage.models import Approval, AuditLog, Workflow, WorkflowStatus, WorkflowVersion
from storage.scope import Tenant
from workflows import service
from workflows.describe import describe, reasons_in_words
from workflows.errors import NameNeeded
from workflows.runtime import Runtime

SUBMITTED = "assistant.draft_submitted"


@dataclass(frozen=True)
class Decided:
    """A recorded decision: the workflow as it now stands."""

    workflow_id: str
    workflow_name: str
    status: str
    approved: bool


async def submit(
    runtime: Runtime,
    workspace_id: str,
    member_id: str,
    spec: dict[str, object],
    *,
    key: str,
    template_id: str | None = None,
    workflow_id: str | None = None,
) -> ApprovalRequest:
    """Store the draft pending approval (a new version of `workflow_id` if given); once per key."""
    subject = key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        member = await load_member(session, workspace_id, member_id)
        earlier = await tenant.first(
            tenant.select(AuditLog).where(AuditLog.action == SUBMITTED, AuditLog.subject == subject)
        )
        if earlier is not None:
            approval = await tenant.get(Approval, str(earlier.detail["approval_id"]))
            assert approval is not None
        else:
            parsed = service.parse_spec(spec, runtime.registry)
            existing = await tenant.get(Workflow, workflow_id) if workflow_id else None
            if existing is not None and existing.status != WorkflowStatus.archived:
                proposal = await service.propose_version(
                    tenant, existing.id, parsed, runtime.registry, member
                )
            else:
                proposal = await service.create_workflow(
                    tenant, parsed, runtime.registry, member, template_id=template_id
                )
            approval = proposal.approval
            service.audit(tenant, member, SUBMITTED, subject, approval_id=approval.id)
            await session.commit()
            runtime.live.approval_changed(approval)
        return await approval_request(tenant, approval)


async def approval_request(tenant: Tenant, approval: Approval) -> ApprovalRequest:
    """The approval card for a stored approval row."""
    version = await tenant.get(WorkflowVersion, approval.version_id)
    assert version is not None
    spec = version.spec
    words = describe(spec)
    return ApprovalRequest(
        approval_id=approval.id,
        workflow_id=approval.workflow_id,
        workflow_name=str(spec.get("name", "")),
        trigger=words.trigger,
        steps=[step.text for step in words.steps],
        approval_class=approval.approval_class,
        reasons=reasons_in_words(spec, list(approval.reasons)),
        who_can_approve=await who_may_approve(tenant, approval),
        # Class C always asks for a confirmation; class B when its requester approves it (the
        # card is shown to them). The policy still decides: `service.decide` checks either way.
        needs_confirmation=approval.approval_class in ("B", "C"),
        # what the draft cannot do itself is said where the owner reads it
        summary=" ".join(filter(None, [words.summary, translation_note(spec_text(spec))])),
        next_runs=words.next_runs,
        step_cards=[
            StepCard(
                text=step.text,
                sample=SampleCard(
                    headline=step.message.headline(),
                    body=step.message.body,
                    subject=step.message.subject,
                    note=step.message.note,
                )
                if step.message
                else None,
            )
            for step in words.steps
        ],
        advanced=words.advanced,
    )


async def decide(
    runtime: Runtime,
    workspace_id: str,
    member_id: str,
    approval_id: str,
    response: ApprovalResponse,
) -> Decided:
    """Record the decision through `service.decide` (Conflict if already decided), then schedule."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        member = await load_member(session, workspace_id, member_id)
        # Row lock on PostgreSQL so two workers resuming at once cannot both decide.
        await session.exec(select(Approval).where(Approval.id == approval_id).with_for_update())
        proposal = await service.decide(
            tenant,
            approval_id,
            member,
            approve=response.approve,
            reason=response.reason,
            confirm=response.confirm,
            typed_name=response.typed_name,
        )
        if proposal.confirmation is not None:
            # A lone owner's own class C finishes by an emailed link, which only the Approvals
            # page sends: nothing is issued from the conversation.
            await session.rollback()
            raise NameNeeded(
                "You are the only owner and you asked for this class C workflow: approving it "
                "finishes with a link we email you"
            )
        await session.commit()
    runtime.live.approval_changed(proposal.approval)
    await runtime.sync_workflow(proposal.workflow)
    workflow = proposal.workflow
    return Decided(workflow.id, workflow.name, workflow.status.value, response.approve)
