"""The runs pages: every run (filtered, paginated), one run's steps and timeline, and retry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from accounts import limits
from agents.views import duration_text
from bot.web.auth import ApiContext, CsrfChecked, PageContext
from bot.web.flash import flash_redirect, refused_by_plan
from bot.web.render import render
from storage.json_limits import clip_depth
from storage.models import ENDED_RUN_STATUSES, Run, RunStatus, StepRun, WorkflowVersion
from workflows import messages, service
from workflows.cancellation import outcome_text
from workflows.errors import DomainError
from workflows.run_pages import TRIGGER_TYPES, RunFilters, run_page, status_counts
from workflows.runs import get_run, retry_failed, run_events, run_steps

router = APIRouter(include_in_schema=False)
FINISHED = ENDED_RUN_STATUSES
STATUSES = tuple(s.value for s in RunStatus)
# A step's state in words where its name alone would not say it.
STEP_LABELS = {"unknown": "may have been sent", "not run": "not run"}


def pretty(data: Any) -> str:
    """JSON for people: indented, non-ASCII kept, anything nested too deep clipped."""
    clipped = clip_depth(data)
    return json.dumps(clipped, indent=2, ensure_ascii=False, default=str, sort_keys=True)


@router.get("/runs")
async def runs_page(
    request: Request,
    ctx: PageContext,
    status: str = "",
    workflow: str = "",
    trigger: str = "",
    after: str = "",
) -> Response:
    """Runs newest first, 50 a page, filtered by status, workflow and trigger type."""
    chosen = await service.get_workflow(ctx.tenant, workflow) if workflow else None
    filters = RunFilters(
        status=status if status in STATUSES else None,
        workflow_id=chosen.id if chosen else None,
        trigger_type=trigger if trigger in TRIGGER_TYPES else None,
    )
    page = await run_page(ctx.tenant, filters, after=after or None)
    counts = await status_counts(ctx.tenant, filters)
    kept = {"status": filters.status, "workflow": filters.workflow_id, "trigger": trigger}
    base = {k: v for k, v in kept.items() if v}

    def link(**changes: str | None) -> str:
        query = {k: v for k, v in {**base, **changes}.items() if v}
        return "/runs" + (f"?{urlencode(query)}" if query else "")

    return render(
        request,
        "runs/index.html",
        ctx.user,
        title=f"Runs of {chosen.name}" if chosen else "Runs",
        page=page,
        counts=counts,
        total=sum(counts.values()),
        filters=filters,
        workflow=chosen,
        workflows=await service.list_workflows(ctx.tenant),
        statuses=STATUSES,
        trigger_types=TRIGGER_TYPES,
        parked=await messages.parked_in_runs(ctx.tenant, [r.id for r in page.rows]),
        next_link=link(after=page.next_cursor) if page.next_cursor else None,
        first_link=link() if after else None,
        status_link=lambda s: link(status=s),
        duration_text=duration_text,
    )


@dataclass
class StepView:
    """One step of the timeline, ready to show."""

    step_id: str
    action: str
    status: str
    attempts: int
    label: str
    duration: str
    row: StepRun | None
    inputs: str
    output: str | None
    error: str | None


def _step_views(steps: list[StepRun], spec: dict[str, Any]) -> list[StepView]:
    """The run's step rows, then the spec's steps it has not reached."""
    views = [
        StepView(
            step_id=s.step_id,
            action=s.action,
            status=s.status.value,
            attempts=s.attempts,
            label=STEP_LABELS.get(s.status.value, s.status.value),
            duration=duration_text(s.duration_ms) if s.duration_ms is not None else "—",
            row=s,
            inputs=pretty(s.inputs),
            output=pretty(s.output) if s.output is not None else None,
            error=s.error,
        )
        for s in steps
    ]
    done = {s.step_id for s in steps}
    for step in spec.get("steps", []):
        if step.get("id") not in done:
            action = step.get("action") or (f"wait {step['wait']}" if step.get("wait") else "")
            views.append(
                StepView(
                    step.get("id", ""), action, "not run", 0, "not run", "—", None, "", None, None
                )
            )
    return views


def _fingerprint(run: Run, steps: list[StepRun]) -> str:
    """Changes whenever the run or one of its steps moves on (the page reloads on a change)."""
    return f"{run.status.value}|" + ",".join(f"{s.step_id}:{s.status.value}" for s in steps)


@router.get("/runs/{run_id}.json")
async def run_state(run_id: str, ctx: ApiContext) -> dict[str, Any]:
    """A run's status for the detail page's refresher."""
    run = await get_run(ctx.tenant, run_id)
    steps = await run_steps(ctx.tenant, run_id)
    return {
        "id": run.id,
        "status": run.status.value,
        "finished": run.status in FINISHED,
        "fingerprint": _fingerprint(run, steps),
    }


@router.get("/runs/{run_id}")
async def run_page_detail(request: Request, run_id: str, ctx: PageContext) -> Response:
    """One run: its step timeline with inputs, outputs and errors, its events, its payload."""
    run = await get_run(ctx.tenant, run_id)
    workflow = await service.get_workflow(ctx.tenant, run.workflow_id)
    version = await ctx.tenant.get(WorkflowVersion, run.version_id)
    steps = await run_steps(ctx.tenant, run_id)
    duration = (
        duration_text((run.finished_at - run.started_at).total_seconds() * 1000)
        if run.started_at and run.finished_at
        else None
    )
    return render(
        request,
        "runs/detail.html",
        ctx.user,
        title=f"Run of {workflow.name}",
        run=run,
        workflow=workflow,
        version=version,
        duration=duration,
        steps=_step_views(steps, version.spec if version else {}),
        events=await run_events(ctx.tenant, run_id),
        payload=pretty(run.trigger_payload),
        finished=run.status in FINISHED,
        outcome_text=outcome_text,
        fingerprint=_fingerprint(run, steps),
        parked=(await messages.parked_in_runs(ctx.tenant, [run.id])).get(run.id),
    )


@router.post("/runs/{run_id}/retry", dependencies=[CsrfChecked])
async def retry(request: Request, run_id: str, ctx: PageContext) -> Response:
    """Run a failed run's workflow again with the same payload, once per failed run (a run like
    any other: held to the plan's runs per month)."""
    failed = await get_run(ctx.tenant, run_id)
    here = f"/runs/{failed.id}"
    try:
        await limits.require(ctx.tenant.session, ctx.tenant.workspace_id, "run")
    except limits.OverLimit as exc:
        return refused_by_plan(request, exc)
    try:
        _, started = await retry_failed(ctx.tenant, ctx.user.member, failed.id)
    except DomainError as exc:
        return flash_redirect(here, f"Could not retry: {exc}", "error")
    if not started.created:
        return flash_redirect(
            f"/runs/{started.run.id}", "This run was already retried: here it is."
        )
    await ctx.tenant.session.commit()
    ctx.runtime.submit(started.run.id)
    return RedirectResponse(f"/runs/{started.run.id}", status_code=303)
