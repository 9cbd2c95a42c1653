"""Workflow lifecycle: create, version, approve/reject, pause/resume/archive. Callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import col, select

from integrations.registry import ActionRegistry
from storage.models import (
    AlertState,
    Approval,
    ApprovalLink,
    AuditLog,
    Decision,
    FeedItemSeen,
    Member,
    PageSnapshot,
    Role,
    Run,
    RunEvent,
    StepRun,
    VersionState,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
    Workspace,
)
from storage.scope import Tenant
from storage.types import utcnow
from workflows import approval_links, policy
from workflows.errors import (
    Conflict,
    Forbidden,
    InvalidSpec,
    NameNeeded,
    NotFound,
    NotReady,
    plain_message,
)
from workflows.spec import WorkflowSpec
from workflows.stand_ins import stand_in_message, stand_in_steps
from workflows.step_inputs import input_problems


@dataclass
class Proposal:
    """A stored version and its approval request (decided, or waiting).

    `confirmation` is set when approving waits for the emailed link (`approval_links`): the
    caller commits, then emails it (`accounts.approval_mail`).
    """

    workflow: Workflow
    version: WorkflowVersion
    approval: Approval
    confirmation: approval_links.LinkIssued | None = None


def parse_spec(data: Any, registry: ActionRegistry) -> WorkflowSpec:
    """Validate spec data and its actions; InvalidSpec errors name the step and field."""
    try:
        spec = data if isinstance(data, WorkflowSpec) else WorkflowSpec.model_validate(data)
    except ValidationError as exc:
        errors = [_error_entry(e, data) for e in exc.errors()]
        summary = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        raise InvalidSpec(f"invalid workflow spec: {summary}", errors) from None
    unknown = [
        {"location": f"steps[{i}] ({s.id}).action", "message": f"unknown action {s.action!r}"}
        for i, s in enumerate(spec.steps)
        if s.action and s.action not in registry
    ]
    if unknown:
        known = ", ".join(registry.names())
        raise InvalidSpec(
            "; ".join(f"{e['location']}: {e['message']}" for e in unknown)
            + f" (known actions: {known})",
            unknown,
        )
    problems = input_problems(spec, registry)
    if problems:
        summary = "; ".join(f"{e['location']}: {e['message']}" for e in problems)
        raise InvalidSpec(f"invalid workflow spec: {summary}", problems)
    return spec


def _error_entry(error: Any, data: Any) -> dict[str, str]:
    loc = list(error.get("loc", ()))
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int) and loc[i - 1 : i] == ["steps"]:
            step_id = _step_id(data, part)
            parts[-1] = f"steps[{part}]" + (f" ({step_id})" if step_id else "")
        elif isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]"
        else:
            parts.append(str(part))
    message = plain_message(error.get("msg", "invalid"))
    return {"location": ".".join(parts) or "spec", "message": message}


def _step_id(data: Any, index: int) -> str | None:
    try:
        step_id = data["steps"][index]["id"]
    except (KeyError, IndexError, TypeError):
        return None
    return step_id if isinstance(step_id, str) else None


def require_operator(member: Member, doing: str) -> None:
    """Forbidden unless the member may operate workflows (`doing` says what was refused)."""
    if not policy.may_operate(member.role):
        raise Forbidden(f"{member.role.value}s cannot {doing}")


def audit(tenant: Tenant, actor: Member | None, action: str, subject: str, **detail: Any) -> None:
    """Record who did what in the audit log."""
    name = f"{actor.name} ({actor.role.value})" if actor else "system"
    tenant.add(AuditLog(workspace_id="", actor=name, action=action, subject=subject, detail=detail))


async def create_workflow(
    tenant: Tenant,
    spec: WorkflowSpec,
    registry: ActionRegistry,
    requester: Member | None,
    *,
    template_id: str | None = None,
) -> Proposal:
    """Store a new workflow with version 1 pending approval."""
    workflow = tenant.add(
        Workflow(
            workspace_id="",
            name=spec.name,
            category=spec.category,
            template_id=template_id,
            status=WorkflowStatus.pending_approval,
            webhook_secret=secrets.token_urlsafe(24),
            created_by=requester.id if requester else None,
        )
    )
    await tenant.session.flush()
    proposal = await _propose(tenant, workflow, spec, registry, requester)
    audit(tenant, requester, "workflow.created", workflow.id, name=spec.name)
    return proposal


async def propose_version(
    tenant: Tenant,
    workflow_id: str,
    spec: WorkflowSpec,
    registry: ActionRegistry,
    requester: Member | None,
) -> Proposal:
    """Store a new version of an existing workflow; it takes effect only once approved."""
    workflow = await get_workflow(tenant, workflow_id)
    if workflow.status == WorkflowStatus.archived:
        raise Conflict("this workflow is archived; create a new one instead")
    for older in await tenant.all(
        tenant.select(Approval).where(
            Approval.workflow_id == workflow.id, Approval.decision == Decision.pending
        )
    ):
        older.decision, older.reason, older.decided_at = (
            Decision.rejected,
            "superseded by a newer version",
            utcnow(),
        )
        version = await tenant.get(WorkflowVersion, older.version_id)
        if version:
            version.state = VersionState.superseded
    if workflow.status == WorkflowStatus.draft:
        workflow.status = WorkflowStatus.pending_approval
    proposal = await _propose(tenant, workflow, spec, registry, requester)
    audit(
        tenant, requester, "workflow.version_proposed", workflow.id, version=workflow.latest_version
    )
    return proposal


async def _propose(
    tenant: Tenant,
    workflow: Workflow,
    spec: WorkflowSpec,
    registry: ActionRegistry,
    requester: Member | None,
) -> Proposal:
    assessment = policy.assess(spec, registry)
    workflow.latest_version += 1
    workflow.updated_at = utcnow()
    version = tenant.add(
        WorkflowVersion(
            workspace_id="",
            workflow_id=workflow.id,
            version=workflow.latest_version,
            spec=spec.model_dump(mode="json", exclude_none=True),
            approval_class=assessment.approval_class,
            created_by=requester.id if requester else None,
        )
    )
    await tenant.session.flush()
    approval = tenant.add(
        Approval(
            workspace_id="",
            workflow_id=workflow.id,
            version_id=version.id,
            approval_class=assessment.approval_class,
            reasons=assessment.reasons,
            requested_by=requester.id if requester else None,
        )
    )
    await tenant.session.flush()
    return Proposal(workflow, version, approval)


async def approver_for(tenant: Tenant, approval: Approval, member: Member) -> policy.Approver:
    """The member deciding `approval`, as `workflows.policy` sees them."""
    workspace = await tenant.session.get(Workspace, tenant.workspace_id)
    assert workspace is not None
    deciders = await tenant.all(
        tenant.select(Member).where(col(Member.role).in_((Role.owner, Role.admin)))
    )
    requester = await tenant.get(Member, approval.requested_by) if approval.requested_by else None
    return policy.Approver(
        role=member.role,
        is_requester=approval.requested_by == member.id,
        requester_role=requester.role if requester else None,
        others=sum(1 for m in deciders if m.id != member.id),
        self_approval=workspace.allow_self_approval,
    )


async def decide(
    tenant: Tenant,
    approval_id: str,
    member: Member,
    *,
    approve: bool,
    reason: str | None = None,
    confirm: bool = False,
    typed_name: str | None = None,
    link: ApprovalLink | None = None,
) -> Proposal:
    """Approve or reject a pending version; the policy decides whether this member may.

    A lone owner's own class C with its name typed is not decided yet: a confirmation link is
    issued (`Proposal.confirmation`); `approval_links.approve_by_link` completes it (`link`).
    """
    # Row lock (PostgreSQL): two nodes deciding the same request at once take turns.
    approval = await tenant.first(
        tenant.select(Approval).where(Approval.id == approval_id).with_for_update()
    )
    if approval is None:
        raise NotFound(f"approval {approval_id} not found")
    if approval.decision != Decision.pending:
        who = await tenant.get(Member, approval.decided_by) if approval.decided_by else None
        by = f" by {who.name}" if who else ""
        raise Conflict(f"this request was already {approval.decision.value}{by}")
    version = await tenant.get(WorkflowVersion, approval.version_id)
    workflow = await tenant.get(Workflow, approval.workflow_id)
    assert version is not None and workflow is not None
    if approve:
        stand_ins = stand_in_steps(version.spec)
        if stand_ins:
            raise NotReady(stand_in_message(stand_ins))
        linked = link is not None and (link.approval_id, link.member_id) == (approval.id, member.id)
        try:
            policy.check_approver(
                approval.approval_class,
                await approver_for(tenant, approval, member),
                confirmed=confirm,
                workflow_name=str(version.spec.get("name", workflow.name)),
                typed_name=typed_name,
                link_confirmed=linked,
            )
        except policy.EmailLinkNeeded:
            issued = await approval_links.issue(tenant, approval, member)
            audit(tenant, member, "approval.link_emailed", workflow.id, approval_id=approval.id)
            return Proposal(workflow, version, approval, confirmation=issued)
        except policy.NameNeeded as exc:
            raise NameNeeded(str(exc)) from None
        except policy.ApprovalDenied as exc:
            raise Forbidden(str(exc)) from None
    else:
        require_operator(member, "reject workflows")
    approval.decision = Decision.approved if approve else Decision.rejected
    approval.decided_by, approval.decided_at, approval.reason = member.id, utcnow(), reason
    if approve:
        version.state = VersionState.approved
        workflow.active_version = version.version
        if workflow.status in (WorkflowStatus.pending_approval, WorkflowStatus.draft):
            workflow.status = WorkflowStatus.active
        workflow.name = str(version.spec.get("name", workflow.name))
    else:
        version.state = VersionState.rejected
        if workflow.active_version is None:
            workflow.status = WorkflowStatus.draft
    workflow.updated_at = utcnow()
    audit(
        tenant,
        member,
        "approval.approved" if approve else "approval.rejected",
        workflow.id,
        approval_id=approval.id,
        version=version.version,
        approval_class=approval.approval_class,
        reason=reason,
        by_link=link is not None,
    )
    return Proposal(workflow, version, approval)


_TRANSITIONS: dict[str, tuple[tuple[WorkflowStatus, ...], WorkflowStatus]] = {
    "pause": ((WorkflowStatus.active,), WorkflowStatus.paused),
    "resume": ((WorkflowStatus.paused,), WorkflowStatus.active),
    "archive": (
        (
            WorkflowStatus.draft,
            WorkflowStatus.pending_approval,
            WorkflowStatus.active,
            WorkflowStatus.paused,
        ),
        WorkflowStatus.archived,
    ),
}


async def transition(tenant: Tenant, workflow_id: str, verb: str, member: Member) -> Workflow:
    """Pause, resume or archive a workflow (operators and up)."""
    require_operator(member, f"{verb} workflows")
    workflow = await get_workflow(tenant, workflow_id)
    allowed, target = _TRANSITIONS[verb]
    if workflow.status not in allowed:
        raise Conflict(f"cannot {verb} a workflow that is {workflow.status.value}")
    workflow.status, workflow.updated_at = target, utcnow()
    audit(
        tenant, member, f"workflow.{verb}d" if verb != "pause" else "workflow.paused", workflow.id
    )
    return workflow


async def get_workflow(tenant: Tenant, workflow_id: str) -> Workflow:
    """The workflow in this workspace, or NotFound."""
    workflow = await tenant.get(Workflow, workflow_id)
    if workflow is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return workflow


async def active_version(tenant: Tenant, workflow: Workflow) -> WorkflowVersion:
    """The approved version that runs, or Conflict if none is approved yet."""
    if workflow.active_version is None:
        raise Conflict("this workflow has no approved version yet")
    version = await tenant.first(
        tenant.select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id,
            WorkflowVersion.version == workflow.active_version,
        )
    )
    assert version is not None
    return version


async def list_workflows(tenant: Tenant, status: str | None = None) -> list[Workflow]:
    """Workflows of this workspace, newest first."""
    query = tenant.select(Workflow).order_by(col(Workflow.created_at).desc())
    if status:
        query = query.where(Workflow.status == status)
    return list(await tenant.all(query))


async def delete_workflow(
    tenant: Tenant, workflow_id: str, member: Member, *, confirmed: bool = False
) -> Workflow:
    """Delete a workflow with its versions, approvals and runs (class C: owner, confirmed)."""
    if member.role != Role.owner:
        raise Forbidden("deleting a workflow is class C: only an owner can delete it")
    if not confirmed:
        raise Forbidden("deleting a workflow is class C: it needs a second explicit confirmation")
    workflow = await get_workflow(tenant, workflow_id)
    runs = select(Run.id).where(
        Run.workspace_id == tenant.workspace_id, Run.workflow_id == workflow.id
    )
    for child in (StepRun, RunEvent):
        await tenant.session.exec(
            delete(child).where(
                child.workspace_id == tenant.workspace_id,  # type: ignore[arg-type]
                col(child.run_id).in_(runs),
            )
        )
    for model in (Run, Approval, FeedItemSeen, PageSnapshot, AlertState, WorkflowVersion):
        await tenant.session.exec(
            delete(model).where(
                model.workspace_id == tenant.workspace_id,  # type: ignore[arg-type]
                model.workflow_id == workflow.id,  # type: ignore[arg-type]
            )
        )
    await tenant.session.delete(workflow)
    audit(tenant, member, "workflow.deleted", workflow.id, name=workflow.name)
    return workflow
