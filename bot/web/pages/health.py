"""Web pages: health — scheduler and run figures, the last failures, and a live status canvas."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.throttle.deps import limiter_of
from bot.web.auth import ApiContext, PageContext, WebContext
from bot.web.render import render
from workflows import analytics
from workflows.health import figures as health_figures

router = APIRouter(include_in_schema=False)
STATES = (
    ("idle", "Idle", "nothing is running"),
    ("processing", "Processing", "a run is in progress"),
    ("waiting", "Waiting for approval", "a workflow waits for someone to approve it"),
    ("success", "Success", "a run just succeeded"),
    ("error", "Error", "a run just failed"),
)


TIER_WORDS = {
    "low": "Normal",
    "medium": "Busy",
    "high": "Very busy",
    "critical": "Overloaded",
}


async def figures(ctx: WebContext, tier: str = "low") -> dict[str, Any]:
    """The workspace's health figures, the scheduler's state and the load tier (JSON-ready)."""
    scheduler = ctx.runtime.scheduler
    running = bool(scheduler and scheduler.is_running)
    session, workspace_id = ctx.tenant.session, ctx.tenant.workspace_id
    jobs = await analytics.workspace_jobs(
        session, workspace_id, scheduler.jobs() if scheduler and running else []
    )
    upcoming = min((j.next_fire_time for j in jobs if j.next_fire_time), default=None)
    return {
        "load_tier": tier,
        "load_words": TIER_WORDS[tier],
        **await health_figures(session, workspace_id),
        "scheduler_running": running,
        "scheduler_jobs": len(jobs),
        "next_fire": upcoming.isoformat() if upcoming else None,
    }


async def last_failures(ctx: WebContext) -> list[dict[str, Any]]:
    """The latest failed runs: id, workflow name, first line of the error, when."""
    rows = await analytics.recent_failures(ctx.tenant.session, ctx.tenant.workspace_id)
    result = []
    for run, name in rows:
        at = run.finished_at or run.created_at
        error = (run.error or "").splitlines()[0][:300] if run.error else ""
        result.append(
            {
                "id": run.id,
                "workflow": name,
                "error": error,
                "at": at.isoformat(),
                "at_text": at.strftime("%Y-%m-%d %H:%M UTC"),
            }
        )
    return result


@router.get("/health", response_class=HTMLResponse)
async def health_page(request: Request, ctx: PageContext) -> HTMLResponse:
    """Status tiles, the last failed runs and the live status of the workspace's runs."""
    return render(
        request,
        "health/index.html",
        ctx.user,
        title="Health",
        figures=await figures(ctx, limiter_of(request).monitor.tier),
        failures=await last_failures(ctx),
        states=STATES,
    )


@router.get("/health/figures")
async def health_figures_json(request: Request, ctx: ApiContext) -> dict[str, Any]:
    """The tiles' figures and the last failures, for the page to refresh after a run ends."""
    tier = limiter_of(request).monitor.tier
    return {**await figures(ctx, tier), "failures": await last_failures(ctx)}
