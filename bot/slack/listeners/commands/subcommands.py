"""`/levqor list | status | runs | run | pause | resume | templates | approvals | connections |
support | workspace | help`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote_plus

from sqlmodel import col

from bot import help_answers
from bot.slack import operations
from bot.slack.deps import Actor, SlackDeps
from bot.slack.listeners.commands.workspace import workspace
from bot.slack.views.replies import (
    HELP,
    Reply,
    connections_reply,
    listing,
    run_line,
    status_reply,
    text_reply,
)
from bot.slack.views.support import support_reply
from integrations import connections as connection_service
from storage.models import Approval, Decision, Workflow
from workflows import messages, runs, service
from workflows.catalog import TemplateCatalog
from workflows.health import figures
from workflows.spec import CATEGORIES

Subcommand = Callable[[SlackDeps, Actor, str], Awaitable[Reply]]


async def list_workflows(deps: SlackDeps, actor: Actor, _: str) -> Reply:
    """Every workflow with its state."""
    rows = await service.list_workflows(actor.tenant)
    lines = [
        f"• *{w.name}* — {w.status.value.replace('_', ' ')} · `{w.id[:8]}`"
        for w in rows
        if w.status.value != "archived"
    ]
    empty = "No workflows yet. Describe one: `/levqor every Monday 9am post new leads to #sales`"
    return listing("Workflows", lines, empty, deps.link("/api/workflows"))


async def status(deps: SlackDeps, actor: Actor, _: str) -> Reply:
    """Health figures of this workspace."""
    return status_reply(await figures(actor.session, actor.workspace.id))


async def recent_runs(deps: SlackDeps, actor: Actor, ref: str) -> Reply:
    """The latest runs, of one workflow when named."""
    workflow = await operations.find_workflow(actor.tenant, ref) if ref else None
    rows = await runs.list_runs(
        actor.tenant, workflow_id=workflow.id if workflow else None, limit=10
    )
    names = {w.id: w.name for w in await service.list_workflows(actor.tenant)}
    kept = await messages.parked_in_runs(actor.tenant, [run.id for run in rows])
    lines = [
        run_line(
            run,
            names.get(run.workflow_id, "?"),
            kept[run.id].sentence() if run.id in kept else None,
        )
        for run in rows
    ]
    title = f"Runs of {workflow.name}" if workflow else "Latest runs"
    return listing(title, lines, "No runs yet.", deps.link("/api/runs"))


async def run(deps: SlackDeps, actor: Actor, ref: str) -> Reply:
    """Run a workflow now."""
    workflow = await operations.find_workflow(actor.tenant, ref)
    started = await operations.run_now(actor, deps, workflow)
    return text_reply(
        f":arrow_forward: Started *{workflow.name}* (run `{started.run.id[:8]}`). "
        f"`/levqor runs {workflow.id[:8]}` shows how it went."
    )


def _transition(verb: str) -> Subcommand:
    async def change(deps: SlackDeps, actor: Actor, ref: str) -> Reply:
        workflow: Workflow = await operations.find_workflow(actor.tenant, ref)
        workflow = await service.transition(actor.tenant, workflow.id, verb, actor.member)
        await actor.session.commit()
        await deps.runtime.sync_workflow(workflow)
        return text_reply(f"*{workflow.name}* is now {workflow.status.value}.")

    return change


async def templates(deps: SlackDeps, actor: Actor, category: str) -> Reply:
    """The template library, optionally one category."""
    category = category.strip().lower().replace("-", "_").replace(" ", "_")
    if category and category not in CATEGORIES:
        return text_reply(f"Unknown category “{category}”. Categories: {', '.join(CATEGORIES)}")
    found = TemplateCatalog.load().list(category=category or None)
    lines = [f"• *{t.name}* (`{t.id}`, {t.category}) — {t.description}" for t in found]
    return listing("Templates", lines, "No templates.", deps.link("/api/templates"))


async def approvals(deps: SlackDeps, actor: Actor, _: str) -> Reply:
    """What waits for a decision."""
    query = actor.tenant.select(Approval).where(Approval.decision == Decision.pending)
    pending = await actor.tenant.all(query.order_by(col(Approval.created_at)))
    names = {w.id: w.name for w in await service.list_workflows(actor.tenant)}
    lines = [
        f"• *{names.get(a.workflow_id, '?')}* — class {a.approval_class} · `{a.id[:8]}`"
        for a in pending
    ]
    return listing("Waiting for approval", lines, "Nothing waits for approval.")


async def connections(deps: SlackDeps, actor: Actor, _: str) -> Reply:
    """Which integrations this workspace has connected (never a secret), and where to add more."""
    views = await connection_service.list_views(actor.session, actor.workspace, deps.settings)
    return connections_reply(views, deps.link("/connections"))


async def ask_support(deps: SlackDeps, actor: Actor, question: str) -> Reply:
    """An answer from the docs, and "Still need help?" to ask a person."""
    found = await help_answers.answer(deps.settings, question)
    return support_reply(found, deps.link(f"/help?q={quote_plus(found.question)}"))


async def show_help(deps: SlackDeps, actor: Actor, _: str) -> Reply:
    """What /levqor can do."""
    return text_reply(HELP)


SUBCOMMANDS: dict[str, Subcommand] = {
    "list": list_workflows,
    "status": status,
    "health": status,
    "runs": recent_runs,
    "run": run,
    "pause": _transition("pause"),
    "resume": _transition("resume"),
    "templates": templates,
    "approvals": approvals,
    "connections": connections,
    "support": ask_support,
    "help": show_help,
    "workspace": workspace,
}
