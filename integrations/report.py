"""report.build: real figures from run and CRM data for a period, plus a plain-text summary."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from pydantic import field_validator
from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, Risk
from integrations.durations import parse_duration
from storage.models import CrmContact, Run, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from storage.types import utcnow

TOP_FAILING = 5


class BuildInput(ActionInput):
    """Inputs of report.build."""

    period: str = "7 days"
    title: str | None = None
    workflow_id: str | None = None

    @field_validator("period")
    @classmethod
    def _check_period(cls, value: str) -> str:
        parse_duration(value)
        return value


class BuildOutput(ActionOutput):
    """The report: its title, period, figures and the summary text a Slack post carries."""

    title: str
    period_start: datetime
    period_end: datetime
    figures: dict[str, Any]
    text: str


def _criteria(query: SelectOfScalar[Any]) -> ColumnElement[bool]:
    """The WHERE clause of a Tenant query, for an aggregate over the same rows."""
    assert query.whereclause is not None
    return query.whereclause


def success_rate(succeeded: int, failed: int) -> float | None:
    """Percent of finished runs that succeeded, one decimal; None when nothing finished."""
    finished = succeeded + failed
    return round(100.0 * succeeded / finished, 1) if finished else None


async def _run_figures(
    tenant: Tenant, start: datetime, end: datetime, workflow_id: str | None, current_run: str
) -> dict[str, Any]:
    runs = tenant.select(Run).where(Run.created_at >= start, Run.created_at < end)
    # The report's own run is still in progress: it is not part of the figures it reports.
    runs = runs.where(Run.dry_run == False, Run.id != current_run)  # noqa: E712
    if workflow_id:
        runs = runs.where(Run.workflow_id == workflow_id)
    names = {w.id: w.name for w in await tenant.all(tenant.select(Workflow))}
    columns = select(col(Run.workflow_id), col(Run.status), func.count())
    grouped = columns.where(_criteria(runs)).group_by(col(Run.workflow_id), col(Run.status))
    per_workflow: Counter[str] = Counter()
    status_count: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for wf_id, status, count in (await tenant.session.exec(grouped)).all():
        per_workflow[names.get(wf_id, wf_id)] += count
        status_count[str(status)] += count
        if status == RunStatus.failed:
            failures[wf_id] += count
    top: list[dict[str, Any]] = []
    for wf_id, count in failures.most_common(TOP_FAILING):
        query = runs.where(Run.workflow_id == wf_id, Run.status == RunStatus.failed)
        last = await tenant.first(query.order_by(col(Run.created_at).desc()))
        top.append({
            "workflow_id": wf_id, "name": names.get(wf_id, wf_id), "failures": count,
            "last_error": last.error if last else None,
            "last_failed_at": last.created_at.isoformat() if last else None,
        })  # fmt: skip
    succeeded, failed = status_count[RunStatus.succeeded], status_count[RunStatus.failed]
    return {
        "runs_total": sum(status_count.values()),
        "succeeded": succeeded,
        "failed": failed,
        "success_rate": success_rate(succeeded, failed),
        "runs_per_workflow": dict(per_workflow.most_common()),
        "top_failing": top,
    }


async def _contact_figures(tenant: Tenant, start: datetime, end: datetime) -> dict[str, Any]:
    new = tenant.select(CrmContact).where(
        CrmContact.created_at >= start, CrmContact.created_at < end
    )
    columns = select(col(CrmContact.source), func.count())
    grouped = columns.where(_criteria(new)).group_by(col(CrmContact.source))
    by_source = {src or "unknown": n for src, n in (await tenant.session.exec(grouped)).all()}
    ordered = dict(sorted(by_source.items(), key=lambda item: (-item[1], item[0])))
    return {"new_contacts": sum(by_source.values()), "new_contacts_by_source": ordered}


def summary(title: str, figures: dict[str, Any]) -> str:
    """A few plain sentences naming the figures."""
    total = figures["runs_total"]
    if total == 0:
        lines = [f"{title}: no workflow runs in this period."]
    else:
        rate = figures["success_rate"]
        rate_text = f" ({rate}% success)" if rate is not None else ""
        lines = [
            f"{title}: {total} run{'s' * (total != 1)}, {figures['succeeded']} succeeded, "
            f"{figures['failed']} failed{rate_text}."
        ]
        busiest = ", ".join(f"{n} ({c})" for n, c in list(figures["runs_per_workflow"].items())[:3])
        lines.append(f"Busiest workflows: {busiest}.")
    for item in figures["top_failing"][:3]:
        error = (item["last_error"] or "no error recorded").splitlines()[0][:200]
        lines.append(f"{item['name']} failed {item['failures']}x; last error: {error}")
    new = figures["new_contacts"]
    sources = ", ".join(f"{n} from {s}" for s, n in figures["new_contacts_by_source"].items())
    lines.append(f"{new} new CRM contact{'s' * (new != 1)}" + (f" ({sources})." if new else "."))
    return "\n".join(lines)


async def build(ctx: ActionContext, inp: BuildInput) -> BuildOutput:
    """Figures for the workspace (or one workflow) over the period, and their summary."""
    end = utcnow()
    start = end - timedelta(seconds=parse_duration(inp.period))
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        figures = await _run_figures(tenant, start, end, inp.workflow_id, ctx.run_id)
        figures.update(await _contact_figures(tenant, start, end))
        workspace = await session.get(Workspace, ctx.workspace_id)
    name = workspace.name if workspace else "Workspace"
    title = inp.title or f"{name} report, last {inp.period}"
    return BuildOutput(
        title=title, period_start=start, period_end=end, figures=figures,
        text=summary(title, figures),
    )  # fmt: skip


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="report.build",
        description="Build a report of runs, failures and new CRM contacts over a period.",
        risk=Risk.read,
        input_model=BuildInput,
        output_model=BuildOutput,
        handler=build,
    )
]
