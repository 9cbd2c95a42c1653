"""report.build: real figures from run and CRM data for a period, plus a plain-text summary.

With `chart: true` it also draws runs per day and the success rate as a PNG, stored under the data
dir and served at `GET /charts/{id}.png`; the output carries Slack blocks (an image block) and an
HTML body naming the same figures.
"""

from __future__ import annotations

import html
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import field_validator
from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, CustomerData, Risk
from integrations.charts import DayBar, chart_id_for, runs_chart, save_chart
from integrations.durations import parse_duration
from storage.models import CrmContact, Run, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from storage.types import utcnow

TOP_FAILING = 5
SECTIONS = ("runs", "contacts", "deals", "new_deals")
# CRM stages that count as a closed (won) deal.
WON_STAGES = ("won", "closed", "closed_won", "closed won", "customer")
# CRM stages of a deal still being worked on (a new deal is a contact moved into one).
OPEN_DEAL_STAGES = (
    "opportunity", "deal", "proposal", "negotiation", "qualified", "salesqualifiedlead", "sql",
    "appointment", "quote", "quoted", "demo",
)  # fmt: skip


class BuildInput(ActionInput):
    """Inputs of report.build."""

    period: str = "7 days"
    title: str | None = None
    workflow_id: str | None = None
    chart: bool = False
    timezone: str = "UTC"
    include: list[str] = ["runs", "contacts"]

    @field_validator("include")
    @classmethod
    def _check_include(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in SECTIONS]
        if unknown or not value:
            raise ValueError(f"include must list some of {', '.join(SECTIONS)}")
        return list(dict.fromkeys(value))

    @field_validator("period")
    @classmethod
    def _check_period(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


class BuildOutput(ActionOutput):
    """The report: its title, period, figures and the summary text a Slack post carries."""

    title: str
    period_start: datetime
    period_end: datetime
    figures: dict[str, Any]
    text: str
    html: str = ""
    blocks: list[dict[str, Any]] = []
    chart_id: str | None = None
    chart_url: str | None = None
    attachments: list[str] = []


def _criteria(query: SelectOfScalar[Any]) -> ColumnElement[bool]:
    """The WHERE clause of a Tenant query, for an aggregate over the same rows."""
    assert query.whereclause is not None
    return query.whereclause


def success_rate(succeeded: int, failed: int) -> float | None:
    """Percent of finished runs that succeeded, one decimal; None when nothing finished."""
    finished = succeeded + failed
    return round(100.0 * succeeded / finished, 1) if finished else None


def _runs_in(
    tenant: Tenant, start: datetime, end: datetime, workflow_id: str | None, current_run: str
) -> SelectOfScalar[Run]:
    runs = tenant.select(Run).where(Run.created_at >= start, Run.created_at < end)
    # The report's own run is still in progress: it is not part of the figures it reports.
    runs = runs.where(Run.dry_run == False, Run.id != current_run)  # noqa: E712
    return runs.where(Run.workflow_id == workflow_id) if workflow_id else runs


async def _per_day(
    tenant: Tenant, runs: SelectOfScalar[Run], start: datetime, end: datetime, tz: str
) -> list[DayBar]:
    """Runs of each local calendar day the period touches, oldest first (zeros included)."""
    zone = zoneinfo.ZoneInfo(tz)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts: dict[date, Counter[str]] = {d: Counter() for d in days}
    rows = select(col(Run.created_at), col(Run.status)).where(_criteria(runs))
    for created_at, status in (await tenant.session.exec(rows)).all():
        local = created_at.astimezone(zone).date()
        if local in counts:
            counts[local][str(status)] += 1
    return [
        DayBar(
            day=d, succeeded=c[RunStatus.succeeded], failed=c[RunStatus.failed],
            other=sum(c.values()) - c[RunStatus.succeeded] - c[RunStatus.failed],
        )
        for d, c in counts.items()
    ]  # fmt: skip


async def _run_figures(tenant: Tenant, runs: SelectOfScalar[Run]) -> dict[str, Any]:
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


@dataclass(frozen=True)
class DealSection:
    """A report section of deals: contacts moved into one of `stages` during the period (their
    `amount` field summed), the figures' names, and how its sentence reads."""

    stages: tuple[str, ...]
    count_key: str
    value_key: str
    list_key: str
    counted: str  # "{n} deal{s} closed"
    none: str


CLOSED_DEALS = DealSection(
    WON_STAGES, "deals_closed", "deals_value", "deals", "{n} deal{s} closed",
    "No deals closed in this period.",
)  # fmt: skip
NEW_DEALS = DealSection(
    OPEN_DEAL_STAGES, "new_deals", "new_deals_value", "new_deal_list", "{n} new deal{s}",
    "No new deals in this period.",
)  # fmt: skip
DEAL_SECTIONS = {"deals": CLOSED_DEALS, "new_deals": NEW_DEALS}


async def _deal_figures(
    tenant: Tenant, start: datetime, end: datetime, section: DealSection
) -> dict[str, Any]:
    """The section's deals in the period, newest first: how many, their value, the first 20."""
    moved = tenant.select(CrmContact).where(
        col(CrmContact.stage).in_(section.stages),
        CrmContact.updated_at >= start,
        CrmContact.updated_at < end,
    )
    deals = await tenant.all(moved.order_by(col(CrmContact.updated_at).desc()))
    listed: list[dict[str, Any]] = [
        {"name": c.company or c.name or c.email, "amount": _amount(c.fields.get("amount"))}
        for c in deals
    ]
    total = sum(float(d["amount"] or 0) for d in listed)
    return {
        section.count_key: len(listed),
        section.value_key: round(total, 2),
        section.list_key: listed[:20],
    }


def _amount(value: object) -> float | None:
    try:
        return float(str(value).replace(",", "").lstrip("£$€")) if value is not None else None
    except ValueError:
        return None


def summary(title: str, figures: dict[str, Any], include: Sequence[str] = SECTIONS) -> str:
    """A few plain sentences naming the figures of the sections the report includes."""
    lines = _run_lines(title, figures) if "runs" in include else [f"{title}:"]
    if "contacts" in include and "new_contacts" in figures:
        new = figures["new_contacts"]
        sources = ", ".join(f"{n} from {s}" for s, n in figures["new_contacts_by_source"].items())
        lines.append(
            f"{new} new CRM contact{'s' * (new != 1)}" + (f" ({sources})." if new else ".")
        )
    for name, section in DEAL_SECTIONS.items():
        if name in include and section.count_key in figures:
            lines.append(_deal_line(figures, section))
    return "\n".join(lines)


def _deal_line(figures: dict[str, Any], section: DealSection) -> str:
    count = figures[section.count_key]
    if not count:
        return section.none
    named = ", ".join(
        d["name"] + (f" ({d['amount']:,.2f})" if d["amount"] is not None else "")
        for d in figures[section.list_key][:5]
    )
    worth = figures[section.value_key]
    value = f", worth {worth:,.2f} in all" if worth else ""
    return f"{section.counted.format(n=count, s='s' * (count != 1))}{value}: {named}."


def _run_lines(title: str, figures: dict[str, Any]) -> list[str]:
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
    return lines


def _day_figures(bar: DayBar) -> dict[str, Any]:
    return {
        "date": bar.day.isoformat(), "runs": bar.total, "succeeded": bar.succeeded,
        "failed": bar.failed, "success_rate": success_rate(bar.succeeded, bar.failed),
    }  # fmt: skip


def slack_blocks(
    title: str, figures: dict[str, Any], text: str, chart_url: str | None
) -> list[dict[str, Any]]:
    """Block Kit for the report: a header, the key figures, the summary, and the chart image."""
    rate = figures["success_rate"]
    fields = [
        ("Runs", figures["runs_total"]), ("Succeeded", figures["succeeded"]),
        ("Failed", figures["failed"]), ("Success rate", "n/a" if rate is None else f"{rate}%"),
        ("New CRM contacts", figures["new_contacts"]),
    ]  # fmt: skip
    if "deals_closed" in figures:
        fields.append(("Deals closed", figures["deals_closed"]))
    cells = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "fields": cells},
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
    ]  # fmt: skip
    if chart_url:
        alt = "Runs per day (bars) and success rate (line)"
        blocks.append({"type": "image", "image_url": chart_url, "alt_text": alt,
                       "title": {"type": "plain_text", "text": "Runs per day"}})  # fmt: skip
    return blocks


def html_body(title: str, figures: dict[str, Any], text: str, chart_url: str | None) -> str:
    """The report as a small HTML page: title, summary lines, a per-day table, the chart."""
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    rows = "".join(
        f"<tr><td>{d['date']}</td><td>{d['runs']}</td><td>{d['succeeded']}</td>"
        f"<td>{d['failed']}</td></tr>"
        for d in figures.get("per_day", [])
    )
    table = (
        f"<table><tr><th>Day</th><th>Runs</th><th>Succeeded</th><th>Failed</th></tr>{rows}</table>"
        if rows
        else ""
    )
    image = (
        f'<p><img src="{html.escape(chart_url)}" alt="Runs per day" width="640" height="320"></p>'
        if chart_url
        else ""
    )
    return f"<html><body><h2>{html.escape(title)}</h2>{lines}{table}{image}</body></html>"


async def build(ctx: ActionContext, inp: BuildInput) -> BuildOutput:
    """Figures for the workspace (or one workflow) over the period, their summary, a chart."""
    end = utcnow()
    start = end - timedelta(seconds=parse_duration(inp.period))
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        runs = _runs_in(tenant, start, end, inp.workflow_id, ctx.run_id)
        figures = await _run_figures(tenant, runs)
        days = await _per_day(tenant, runs, start, end, inp.timezone)
        figures["per_day"] = [_day_figures(bar) for bar in days]
        figures.update(await _contact_figures(tenant, start, end))
        for name, section in DEAL_SECTIONS.items():
            if name in inp.include:
                figures.update(await _deal_figures(tenant, start, end, section))
        workspace = await session.get(Workspace, ctx.workspace_id)
    name = workspace.name if workspace else "Workspace"
    title = inp.title or f"{name} report, last {inp.period}"
    text = summary(title, figures, inp.include)
    chart_id = chart_url = None
    if inp.chart:
        chart_id = chart_id_for(ctx.settings, ctx.idempotency_key)
        save_chart(ctx.settings, chart_id, runs_chart(days))
        chart_url = f"{ctx.settings.public_url.rstrip('/')}/charts/{chart_id}.png"
    return BuildOutput(
        title=title, period_start=start, period_end=end, figures=figures, text=text,
        html=html_body(title, figures, text, chart_url),
        blocks=slack_blocks(title, figures, text, chart_url),
        chart_id=chart_id, chart_url=chart_url,
        attachments=[f"chart:{chart_id}"] if chart_id else [],
    )  # fmt: skip


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="report.build",
        description=(
            "Build a report of runs, failures, new CRM contacts, new deals and deals closed over a "
            "period."
        ),
        risk=Risk.read,
        input_model=BuildInput,
        output_model=BuildOutput,
        handler=build,
        reads=CustomerData.one,  # figures and run data (a last error may name a customer)
    )
]
