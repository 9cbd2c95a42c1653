"""Web pages: analytics — runs per day, success rate, durations and the top failing workflows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.auth import PageContext
from bot.web.charts import Series, line_chart, number, stacked_bars
from bot.web.render import render
from workflows import analytics

router = APIRouter(include_in_schema=False)


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 2)


def duration(ms: float | None) -> str:
    """A duration for people: ms under a second, else seconds."""
    if ms is None:
        return "—"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def charts(period: analytics.Period) -> dict[str, Any]:
    """The three SVG charts of a period, with summaries people and screen readers can read."""
    labels = [f"{d.day:%b} {d.day.day}" for d in period.per_day]
    busiest = max(period.per_day, key=lambda d: d.total)
    rate = period.success_rate
    finished_days = [d for d in period.per_day if d.success_rate is not None]
    worst = min(finished_days, key=lambda d: d.success_rate or 0, default=None)
    runs = stacked_bars(
        title="Runs per day",
        summary=(
            f"{period.runs} runs in {period.days} days: {period.succeeded} succeeded, "
            f"{period.failed} failed. Busiest day {labels[period.per_day.index(busiest)]} "
            f"with {busiest.total}."
        ),
        labels=labels,
        series=[
            Series("succeeded", [d.succeeded for d in period.per_day], "ok"),
            Series("failed", [d.failed for d in period.per_day], "bad"),
            Series("other", [d.other for d in period.per_day], "other"),
        ],
        x_label="Day (UTC)",
        y_label="Runs",
    )
    success = line_chart(
        title="Success rate per day",
        summary=(
            f"Overall {number(rate, '%') if rate is not None else 'no finished runs'}."
            + (
                f" Lowest {number(worst.success_rate or 0, '%')} on "
                f"{labels[period.per_day.index(worst)]}."
                if worst
                else ""
            )
        ),
        labels=labels,
        series=[Series("success rate", [d.success_rate for d in period.per_day], "ok")],
        x_label="Day (UTC)",
        y_label="Succeeded (%)",
        unit="%",
        y_max=100,
    )
    durations = line_chart(
        title="Run duration per day (p50 and p95)",
        summary=(f"Over the period p50 {duration(period.p50_ms)}, p95 {duration(period.p95_ms)}."),
        labels=labels,
        series=[
            Series("p50", [_seconds(d.p50_ms) for d in period.per_day], "p50"),
            Series("p95", [_seconds(d.p95_ms) for d in period.per_day], "p95"),
        ],
        x_label="Day (UTC)",
        y_label="Seconds",
        unit="s",
    )
    return {"runs_chart": runs, "success_chart": success, "duration_chart": durations}


@router.get("/analytics", response_class=HTMLResponse)
async def analytics_page(request: Request, ctx: PageContext, days: int = 7) -> HTMLResponse:
    """Runs, success rate and durations over 7, 30 or 90 days, and the workflows that fail."""
    days = days if days in analytics.PERIODS else analytics.PERIODS[0]
    period = await analytics.period(
        ctx.tenant.session,
        ctx.tenant.workspace_id,
        days,
        timezone=ctx.user.workspace.timezone,
    )
    return render(
        request,
        "analytics/index.html",
        ctx.user,
        title="Analytics",
        period=period,
        periods=analytics.PERIODS,
        duration=duration,
        number=number,
        **(charts(period) if period.runs else {}),
    )
