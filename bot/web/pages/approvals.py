"""The approvals page: the pending queue by class (A, B, C), approve/reject, and the history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import col

from agents.views import who_approves
from bot.confirmations import email_confirmation
from bot.web.auth import CsrfChecked, PageContext, WebContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.models import Approval, Decision, Member, Role, Workflow, WorkflowVersion, Workspace
from storage.scope import Tenant
from workflows import policy, service
from workflows.describe import reasons_in_words, step_sentences, trigger_words
from workflows.errors import DomainError
from workflows.live import LiveEvent

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Checkbox = Annotated[bool, Form()]
HISTORY_SHORT, HISTORY_LONG = 20, 200
DECIDERS = (Role.owner, Role.admin)
CLASSES = (
    ("A", "Internal, low risk: it reads data or tells our own people."),
    ("B", "External: it sends to people outside the team or writes to a system of record."),
    ("C", "Critical: it deletes data, bills, handles credentials or sends in bulk."),
)


@dataclass
class ApprovalItem:
    """An approval request with what a reviewer needs to decide it."""

    approval: Approval
    workflow: Workflow
    version: WorkflowVersion
    requester: str
    decider: str
    trigger: str
    steps: list[str]
    reasons: list[str]
    note: str | None
    need: str  # what approving asks of this member (`policy.Need`), "" when they may not


async def _load(tenant: Tenant, approvals: list[Approval], member: Member) -> list[ApprovalItem]:
    """Each approval with its workflow, version, people and what approving asks of `member`.

    Four queries: the workflows, the versions, the workspace's members and the workspace.
    """
    wf_ids = {a.workflow_id for a in approvals}
    version_ids = {a.version_id for a in approvals}
    workflows = {
        w.id: w
        for w in await tenant.all(tenant.select(Workflow).where(col(Workflow.id).in_(wf_ids)))
    }
    versions = {
        v.id: v
        for v in await tenant.all(
            tenant.select(WorkflowVersion).where(col(WorkflowVersion.id).in_(version_ids))
        )
    }
    everyone = list(await tenant.all(tenant.select(Member)))
    workspace = await tenant.session.get(Workspace, tenant.workspace_id)
    members = {m.id: m for m in everyone}
    others = sum(1 for m in everyone if m.role in DECIDERS and m.id != member.id)
    items = []
    for a in approvals:
        spec: dict[str, Any] = versions[a.version_id].spec
        requester = members.get(a.requested_by or "")
        decider = members.get(a.decided_by or "")
        who = policy.Approver(
            role=member.role,
            is_requester=a.requested_by == member.id,
            requester_role=requester.role if requester else None,
            others=others,
            self_approval=bool(workspace and workspace.allow_self_approval),
        )
        need, note = _need(a, who)
        items.append(
            ApprovalItem(
                approval=a,
                workflow=workflows[a.workflow_id],
                version=versions[a.version_id],
                requester=requester.name if requester else "the assistant",
                decider=decider.name if decider else "Levqor",
                trigger=trigger_words(spec.get("trigger", {})),
                steps=step_sentences(spec),
                reasons=reasons_in_words(spec, list(a.reasons)),
                note=note,
                need=need,
            )
        )
    return items


def _need(approval: Approval, who: policy.Approver) -> tuple[str, str | None]:
    """What approving asks of this member, and a note in words (why not, or what happens)."""
    try:
        need = policy.requirement(approval.approval_class, who)
    except policy.ApprovalDenied as exc:
        return "", f"You cannot approve this one: {exc}."
    if need == policy.Need.name_and_email:
        return need.value, (
            "You are the only owner and you asked for this one: type its name to approve it. "
            "We then email you a link to confirm, so a stolen session alone cannot approve it."
        )
    if need == policy.Need.name:
        return need.value, "Class C: type its name to approve it; that is your confirmation."
    if need == policy.Need.confirm and approval.approval_class == "B":
        return need.value, "You asked for this one: confirm you checked what it sends outside."
    return need.value, None


@router.get("/approvals")
async def approvals_page(request: Request, ctx: PageContext, view: str = "") -> Response:
    """Pending requests grouped by class, then the decisions made so far."""
    tenant, member = ctx.tenant, ctx.user.member
    history_only = view == "history"
    pending: list[Approval] = []
    if not history_only:
        query = tenant.select(Approval).where(Approval.decision == Decision.pending)
        pending = list(await tenant.all(query.order_by(col(Approval.created_at))))
    decided_query = (
        tenant.select(Approval)
        .where(Approval.decision != Decision.pending)
        .order_by(col(Approval.decided_at).desc())
        .limit(HISTORY_LONG if history_only else HISTORY_SHORT)
    )
    decided = list(await tenant.all(decided_query))
    items = await _load(tenant, pending + decided, member)
    groups = [
        (
            cls,
            text,
            who_approves(cls),
            [i for i in items[: len(pending)] if i.approval.approval_class == cls],
        )
        for cls, text in CLASSES
    ]
    return render(
        request,
        "approvals/index.html",
        ctx.user,
        title="Approval history" if history_only else "Approvals",
        groups=groups,
        pending_count=len(pending),
        history=items[len(pending) :],
        history_only=history_only,
        history_limited=len(decided) == (HISTORY_LONG if history_only else HISTORY_SHORT),
    )


def _back(request: Request) -> str:
    """Where the form was posted from (same site only), else the approvals page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/approvals"


def _from_script(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def _friendly(message: str) -> str:
    return message.replace("(confirm=true)", "(tick “I confirm” and approve again)")


async def _decide(
    request: Request,
    ctx: WebContext,
    approval_id: str,
    *,
    approve: bool,
    reason: str,
    confirm: bool,
    typed_name: str = "",
) -> Response:
    try:
        proposal = await service.decide(
            ctx.tenant,
            approval_id,
            ctx.user.member,
            approve=approve,
            reason=reason.strip()[:2000] or None,
            confirm=confirm,
            typed_name=typed_name[:200] or None,
        )
        await ctx.tenant.session.commit()
        if proposal.confirmation is not None:
            message = await email_confirmation(ctx.runtime, ctx.user.workspace, proposal)
            if _from_script(request):
                return JSONResponse({"decision": "pending", "message": message}, status_code=202)
            return flash_redirect(_back(request), message)
    except DomainError as exc:
        await ctx.tenant.session.rollback()
        if _from_script(request):
            raise
        return flash_redirect(_back(request), _friendly(str(exc)), "error")
    workflow = proposal.workflow
    await ctx.runtime.sync_workflow(workflow)
    decision = proposal.approval.decision.value
    ctx.runtime.live.publish(
        LiveEvent(
            ctx.tenant.workspace_id, "approval.decided", workflow_id=workflow.id, detail=decision
        )
    )
    version = proposal.version.version
    message = (
        f"Approved “{workflow.name}” v{version}: the workflow is {workflow.status.value}."
        if approve
        else f"Rejected “{workflow.name}” v{version}."
    )
    if _from_script(request):
        body = {"decision": decision, "workflow_status": workflow.status.value, "message": message}
        return JSONResponse(body)
    return flash_redirect(_back(request), message)


@router.post("/approvals/{approval_id}/approve", dependencies=[CsrfChecked])
async def approve(
    request: Request,
    approval_id: str,
    ctx: PageContext,
    reason: Text = "",
    confirm: Checkbox = False,
    typed_name: Text = "",
) -> Response:
    """Approve a pending version (the policy checks the role, self-approval and confirmation)."""
    return await _decide(
        request, ctx, approval_id, approve=True, reason=reason, confirm=confirm,
        typed_name=typed_name,
    )  # fmt: skip


@router.post("/approvals/{approval_id}/reject", dependencies=[CsrfChecked])
async def reject(
    request: Request, approval_id: str, ctx: PageContext, reason: Text = ""
) -> Response:
    """Reject a pending version: it never runs."""
    return await _decide(request, ctx, approval_id, approve=False, reason=reason, confirm=False)
