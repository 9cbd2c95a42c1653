"""`levqor draft` and `levqor eval`: the offline planner from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from agents.drafts import DraftResult
from agents.evaluation import Report, load_cases, run, score
from agents.planner import draft as plan


def register(app: typer.Typer) -> None:
    """Add the `draft` and `eval` commands to `app`."""
    app.command("draft")(draft_command)
    app.command("eval")(eval_command)


def draft_command(
    text: Annotated[str | None, typer.Argument(help="The request, in plain language.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per request.")
    ] = False,
    batch: Annotated[
        Path | None, typer.Option("--batch", help='JSONL file of {"id", "request"} lines.')
    ] = None,
) -> None:
    """Draft a workflow from a plain-language request (offline planner)."""
    if batch is not None:
        for line in batch.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            result = plan(str(item["request"])).model_copy(update={"id": item.get("id")})
            _emit(result, as_json)
        return
    if not text:
        raise typer.BadParameter("give a request, or --batch FILE")
    _emit(plan(text), as_json)


def eval_command(
    file: Annotated[Path, typer.Argument(help="JSONL of labelled cases.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run the planner on every labelled case and print the scores."""
    cases = load_cases(file)
    results, latencies = run(cases, plan)
    report = score(cases, results, latencies)
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        render_report(report, Console())


def render_report(report: Report, console: Console) -> None:
    """Print the report as a rich table, then the mismatches."""
    table = Table(title=f"Planner evaluation ({report.cases} cases)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("trigger accuracy", report.trigger_accuracy),
        ("cron exact", report.cron_exact),
        ("timezone accuracy", report.timezone_accuracy),
        ("integration precision", report.integration_precision),
        ("integration recall", report.integration_recall),
        ("integration F1", report.integration_f1),
        ("approval class accuracy", report.approval_accuracy),
        ("draft/clarify/refuse accuracy", report.status_accuracy),
    ]
    for name, value in rows:
        table.add_row(name, f"{value:.1%}" if "F1" not in name else f"{value:.3f}")
    table.add_row("latency p50", f"{report.latency_p50_ms:.2f} ms")
    table.add_row("latency p95", f"{report.latency_p95_ms:.2f} ms")
    console.print(table)
    if report.mismatches:
        misses = Table(title="Mismatches")
        for column in ("case", "field", "expected", "got"):
            misses.add_column(column)
        for miss in report.mismatches:
            misses.add_row(miss.id, miss.field, json.dumps(miss.expected), json.dumps(miss.got))
        console.print(misses)


def _emit(result: DraftResult, as_json: bool) -> None:
    if as_json:
        typer.echo(result.to_json())
        return
    console = Console()
    title = f"{result.status} · class {result.approval_class or '-'}"
    message = result.question or result.reason or "Here is the draft."
    if result.summary:
        message += f"\n\n{result.summary}"
    console.print(Panel(message, title=title))
    if result.workflow is not None:
        console.print(Syntax(json.dumps(result.workflow, indent=2), "json"))
