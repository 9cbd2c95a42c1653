"""Web pages: the workflow library, one workflow's page, and pause / resume / archive / run now.

The template marketplace (`/templates`) lives in `library_templates` and is served through this
module's router.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import col

from accounts import limits
from agents.views import who_approves
from bot.web.auth import CsrfChecked, PageContext
from bot.web.flash import flash_answer, refused_by_plan
from bot.web.pages import library_templates
from bot.web.pages.library_data import (
    STATUS_LABELS,
    ago,
    library_rows,
    safe_back,
    status_counts,
    trigger_links,
)
from bot.web.render import render
from storage.models import Approval, Decision, Run, WorkflowStatus, WorkflowVersion
from workflows import policy, service
from workflows.describe import reasons_in_words, step_sentences, trigger_words
from workflows.errors import Conflict, Forbidden
from workflows.runs import run_manually

router = APIRouter(include_in_schema=False)
router.include_router(library_templates.router)
Back = Annotated[str, Form()]
_NOT_RUNNABLE = {
    WorkflowStatus.draft: "it is a draft: send it for approval first",
    WorkflowStatus.pending_approval: "it is waiting for approval: it can run once approved",
    WorkflowStatus.paused: "it is paused: resume it first",
    WorkflowStatus.archived: "it is archived, and archived workflows never run",
}
_DONE = {
    "pause": "Paused “{name}”: it will not run until you resume it.",
    "resume": "Resumed “{name}”: it runs on its trigger again.",
    "archive": "Archived “{name}”: it never runs again; its runs and versions stay for reference.",
}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


@router.get("/workflows")
async def workflows_page(
    request: Request, ctx: PageContext, status: str | None = None, q: str | None = None
) -> Response:
    """The workflow library: every workflow with its status, trigger, class and recent runs."""
    status = status if status in {s.value for s in WorkflowStatus} else None
    search = (q or "").strip()[:200]
    rows = await library_rows(ctx.tenant, status, search)
    counts = await status_counts(ctx.tenant)
    return render(
        request,
        "workflows/list.html",
        ctx.user,
        title="Workflows",
        rows=rows,
        counts=counts,
        total=sum(counts.values()),
        current=status,
        q=search,
        labels=STATUS_LABELS,
        may_operate=policy.may_operate(ctx.user.member.role),
        back=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        ago=ago,
    )


@router.get("/workflows/{workflow_id}")
async def workflow_page(request: Request, workflow_id: str, ctx: PageContext) -> Response:
    """One workflow: what it does in words, its versions, pending approval and recent runs."""
    tenant = ctx.tenant
    workflow = await service.get_workflow(tenant, workflow_id)
    versions = list(
        await tenant.all(
            tenant.select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow.id)
            .order_by(col(WorkflowVersion.version).desc())
        )
    )
    latest = versions[0] if versions else None
    spec = latest.spec if latest else {}
    pending = await tenant.first(
        tenant.select(Approval).where(
            Approval.workflow_id == workflow.id, Approval.decision == Decision.pending
        )
    )
    runs = await tenant.all(
        tenant.select(Run)
        .where(Run.workflow_id == workflow.id)
        .order_by(col(Run.created_at).desc())
        .limit(10)
    )
    hook, form = trigger_links(workflow, spec, ctx.runtime.settings.public_url)
    member, workspace = ctx.user.member, ctx.user.workspace
    approval = None
    if pending is not None:
        cls = pending.approval_class
        approval = {
            "row": pending,
            "reasons": reasons_in_words(spec, list(pending.reasons)),
            "who": who_approves(cls),
            "may_approve": policy.may_approve(cls, member.role),
            "self_blocked": cls == "B"
            and pending.requested_by == member.id
            and not workspace.allow_self_approval,
        }
    steps = [
        {"name": s.get("name") or s.get("id", ""), "words": words}
        for s, words in zip(spec.get("steps", []), step_sentences(spec), strict=True)
    ]
    return render(
        request,
        "workflows/detail.html",
        ctx.user,
        title=workflow.name,
        workflow=workflow,
        latest=latest,
        versions=versions,
        trigger=trigger_words(spec.get("trigger", {})) if spec else "not drafted yet",
        steps=steps,
        spec_json=json.dumps(spec, indent=2, ensure_ascii=False),
        approval=approval,
        runs=runs,
        webhook_url=hook,
        form_url=form,
        labels=STATUS_LABELS,
        may_operate=policy.may_operate(member.role),
        back=f"/workflows/{workflow.id}",
        ago=ago,
    )


async def _change(
    request: Request, ctx: PageContext, workflow_id: str, verb: str, back: str
) -> Response:
    back = safe_back(back)
    try:
        if verb == "resume":
            await limits.require(ctx.tenant.session, ctx.tenant.workspace_id, "activate")
        workflow = await service.transition(ctx.tenant, workflow_id, verb, ctx.user.member)
    except limits.OverLimit as exc:
        return refused_by_plan(request, exc)
    except (Conflict, Forbidden) as exc:
        return flash_answer(request, back, _sentence(str(exc)), ok=False)
    await ctx.tenant.session.commit()
    await ctx.runtime.sync_workflow(workflow)
    message = _DONE[verb].format(name=workflow.name)
    return flash_answer(request, back, message, status=workflow.status.value)


@router.post("/workflows/{workflow_id}/pause", dependencies=[CsrfChecked])
async def pause(request: Request, workflow_id: str, ctx: PageContext, back: Back = "") -> Response:
    """Pause an active workflow: its trigger stops starting runs."""
    return await _change(request, ctx, workflow_id, "pause", back)


@router.post("/workflows/{workflow_id}/resume", dependencies=[CsrfChecked])
async def resume(request: Request, workflow_id: str, ctx: PageContext, back: Back = "") -> Response:
    """Resume a paused workflow."""
    return await _change(request, ctx, workflow_id, "resume", back)


@router.post("/workflows/{workflow_id}/archive", dependencies=[CsrfChecked])
async def archive(
    request: Request, workflow_id: str, ctx: PageContext, back: Back = ""
) -> Response:
    """Archive a workflow for good (its history stays); unschedules it."""
    return await _change(request, ctx, workflow_id, "archive", back)


@router.post("/workflows/{workflow_id}/run", dependencies=[CsrfChecked])
async def run_now(
    request: Request, workflow_id: str, ctx: PageContext, back: Back = ""
) -> Response:
    """Run the approved version now; refused with a reason unless the workflow is active."""
    back = safe_back(back)
    tenant, member = ctx.tenant, ctx.user.member
    workflow = await service.get_workflow(tenant, workflow_id)
    try:
        service.require_operator(member, "run workflows")
        if workflow.status != WorkflowStatus.active:
            reason = _NOT_RUNNABLE[workflow.status]
            raise Conflict(f"“{workflow.name}” cannot run now: {reason}")
        await limits.require(tenant.session, tenant.workspace_id, "run")
        started = await run_manually(tenant, member, workflow)
    except limits.OverLimit as exc:
        return refused_by_plan(request, exc)
    except (Conflict, Forbidden) as exc:
        return flash_answer(request, back, _sentence(str(exc)), ok=False)
    await tenant.session.commit()
    ctx.runtime.submit(started.run.id)
    return flash_answer(
        request,
        back,
        f"Started a run of “{workflow.name}”.",
        status=workflow.status.value,
        run_id=started.run.id,
    )
