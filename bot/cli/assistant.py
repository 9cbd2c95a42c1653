"""`levqor draft` and `levqor eval`: the offline planner from the command line."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from agents.drafts import DraftResult
from agents.evaluation import Mismatch, Report, arun, load_cases, run, score
from agents.planner import draft as plan
from storage.config import Settings

DrafterChoice = Literal["auto", "offline", "llm"]


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
    errors: Annotated[
        bool, typer.Option("--errors", help="List every case that missed, field by field.")
    ] = False,
    drafter: Annotated[
        str,
        typer.Option(
            "--drafter",
            help="auto: the LLM when OPENAI_BASE_URL or OPENAI_API_KEY is set, else offline.",
        ),
    ] = "auto",
) -> None:
    """Score drafting on every labelled case (offline planner, or the LLM when configured)."""
    if drafter not in ("auto", "offline", "llm"):
        raise typer.BadParameter("--drafter is auto, offline or llm")
    try:
        cases = load_cases(file)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc}") from exc
    missing = [c.get("id", "?") for c in cases if "request" not in c]
    if missing:
        raise typer.BadParameter(f"cases without a request: {', '.join(map(str, missing[:5]))}")
    settings = Settings()
    use_llm = drafter == "llm" or (
        drafter == "auto" and bool(settings.openai_api_key or settings.openai_base_url)
    )
    if use_llm:
        results, latencies = asyncio.run(_llm_results(settings, cases))
    else:
        results, latencies = run(cases, plan)
    report = score(cases, results, latencies)
    if as_json:
        typer.echo(report.model_dump_json())
        return
    console = Console()
    render_report(report, console, "LLM drafter" if use_llm else "Offline planner")
    if errors:
        render_errors(report.mismatches, {str(c["id"]): c for c in cases if "id" in c}, console)
    elif report.mismatches:
        console.print(f"{len(report.mismatches)} mismatches; --errors lists them by field.")


async def _llm_results(
    settings: Settings, cases: list[dict[str, Any]]
) -> tuple[list[DraftResult], list[float]]:
    from agents.llm_drafter import LLMDrafter

    drafter = LLMDrafter(settings)
    try:
        return await arun(cases, drafter.draft)
    finally:
        await drafter.aclose()


def render_report(report: Report, console: Console, drafter: str = "Planner") -> None:
    """Print the scores as a rich table."""
    table = Table(title=f"{drafter} evaluation ({report.cases} cases)")
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
        (f"dangerous refused or class C ({report.dangerous_cases})", report.dangerous_safe),
        (f"vague ones clarified ({report.vague_cases})", report.vague_clarified),
    ]
    for name, value in rows:
        table.add_row(name, f"{value:.1%}" if "F1" not in name else f"{value:.3f}")
    table.add_row("latency p50", f"{report.latency_p50_ms:.2f} ms")
    table.add_row("latency p95", f"{report.latency_p95_ms:.2f} ms")
    console.print(table)


def render_errors(
    mismatches: list[Mismatch], cases: dict[str, dict[str, Any]], console: Console
) -> None:
    """Print the misses grouped by field, each with its request, expected and got."""
    by_field: dict[str, list[Mismatch]] = defaultdict(list)
    for miss in mismatches:
        by_field[miss.field].append(miss)
    for field, misses in sorted(by_field.items(), key=lambda item: -len(item[1])):
        table = Table(title=f"{field}: {len(misses)} missed", show_lines=True)
        for column in ("case", "request", "expected", "got"):
            table.add_column(column, overflow="fold")
        for miss in misses:
            request = str(cases.get(miss.id, {}).get("request", ""))
            table.add_row(miss.id, request[:160], json.dumps(miss.expected), json.dumps(miss.got))
        console.print(table)


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
