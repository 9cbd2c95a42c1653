"""Answer how things are going with figures from stored runs and CRM contacts."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State
from agents.tools.analytics import RunReport, failures, health, new_leads, run_report
from agents.views import duration_text


def run_summary(report: RunReport) -> str:
    """A run's outcome in one or two sentences, with its numbers."""
    by_status = ", ".join(f"{n} {s}" for s, n in sorted(report.steps_by_status.items()))
    text = (
        f"Run {report.run_id[:8]} of {report.workflow_name} {report.status}: "
        f"{report.steps_total} step{'s' * (report.steps_total != 1)}"
        f"{' (' + by_status + ')' if by_status else ''} in {duration_text(report.duration_ms)}."
    )
    if report.error:
        text += f" Failed at {report.failed_step or 'a step'}: {report.error}"
    return text


async def analytics(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Dispatch on the question: last run, health, failures or new leads."""
    ctx = runtime.context
    kind = state.get("intent")
    days = int(state.get("args", {}).get("days", 7))
    period = "today" if days == 1 else f"in the last {days} days"
    if kind == "last_run":
        report = await run_report(
            ctx.runtime, ctx.workspace_id, state.get("run_id"), state.get("workflow_id")
        )
        return {"reply": run_summary(report) if report else "Nothing has run yet."}
    if kind == "leads":
        count, sources = await new_leads(ctx.runtime, ctx.workspace_id, days)
        split = ", ".join(f"{n} from {s}" for s, n in sources.items())
        tail = f" ({split})." if split else "."
        reply = f"{count} new lead{'s' * (count != 1)} {period}{tail}"
        return {"reply": reply}
    if kind == "failures":
        failed = await failures(ctx.runtime, ctx.workspace_id, days)
        if not failed:
            return {"reply": f"Nothing failed {period}."}
        lines = [
            f"• {f.workflow_name}: {f.count} failed run{'s' * (f.count != 1)}; last error"
            f"{' at ' + f.failed_step if f.failed_step else ''}: {f.last_error or 'none recorded'}"
            for f in failed
        ]
        total = sum(f.count for f in failed)
        return {"reply": f"{total} failed run{'s' * (total != 1)} {period}:\n" + "\n".join(lines)}
    figures = await health(ctx.runtime, ctx.workspace_id, days)
    rate = f" ({figures.success_rate}% success)" if figures.success_rate is not None else ""
    busiest = ", ".join(f"{name} ({n})" for name, n in list(figures.per_workflow.items())[:3])
    reply = (
        f"{figures.runs} run{'s' * (figures.runs != 1)} {period}: {figures.succeeded} succeeded, "
        f"{figures.failed} failed{rate}. {figures.active_workflows} active workflows, "
        f"{figures.pending_approvals} waiting for approval."
        + (f" Busiest: {busiest}." if busiest else "")
    )
    return {"reply": reply}
