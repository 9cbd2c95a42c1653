"""Data lifecycle commands: `levqor purge` (the retention purge, also run daily)."""

from __future__ import annotations

import asyncio
import getpass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from storage.config import Settings

if TYPE_CHECKING:
    from accounts.purge import WorkspacePurge

console = Console()


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the CLI."""

    @app.command()
    def purge(
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only count what would be deleted.")
        ] = False,
    ) -> None:
        """Delete run history, messages, charts and conversations past each plan's retention."""
        results = asyncio.run(_purge(Settings(), dry_run))
        total = sum(r.counts.total for r in results)
        if dry_run:
            typer.echo(f"Dry run: would delete {total} records; nothing was deleted.")
        else:
            typer.echo(f"Deleted {total} records past their retention.")
        table = Table("workspace", "kept", "runs", "steps", "events", "messages")
        table.add_column("charts")
        table.add_column("conversations")
        for r in results:
            c = r.counts
            table.add_row(
                r.slug, f"{r.retention_days} days", str(c.runs), str(c.steps), str(c.events),
                str(c.messages), str(c.charts), str(c.conversations),
            )  # fmt: skip
        console.print(table)


async def _purge(settings: Settings, dry_run: bool) -> list[WorkspacePurge]:
    from accounts.purge import Purger
    from agents.checkpoint import open_checkpointer
    from storage.db import create_engine, session_factory

    engine = create_engine(settings)
    try:
        async with open_checkpointer(settings) as checkpointer:
            purger = Purger(settings, session_factory(engine), checkpointer=checkpointer)
            return await purger.purge(dry_run=dry_run, actor=f"cli:{getpass.getuser()}")
    finally:
        await engine.dispose()


def register_seo(app: typer.Typer) -> None:
    """Add `levqor seo propose` and `levqor seo review`."""
    seo_app = typer.Typer(
        help="Search-engine texts for the public template pages.", no_args_is_help=True
    )
    app.add_typer(seo_app, name="seo")

    @seo_app.command("propose")
    def seo_propose(
        template: Annotated[str | None, typer.Option(help="Only this template's page.")] = None,
    ) -> None:
        """Suggest a title, description and keywords for each public page (not live yet)."""
        made = asyncio.run(_seo_propose(Settings(), template))
        typer.echo(f"{made} new proposals; review them with `levqor seo review`.")

    @seo_app.command("review")
    def seo_review(
        accept: Annotated[str | None, typer.Option(help="Accept this proposal id.")] = None,
        reject: Annotated[str | None, typer.Option(help="Reject this proposal id.")] = None,
    ) -> None:
        """List proposals waiting for review, or accept (it goes live) or reject one."""
        if accept and reject:
            raise typer.BadParameter("accept or reject, not both")
        typer.echo(asyncio.run(_seo_review(Settings(), accept or reject, accept=bool(accept))))


async def _seo_propose(settings: Settings, template_id: str | None) -> int:
    from accounts.workspaces import ensure_default
    from storage.db import create_engine, session_factory
    from workflows import seo
    from workflows.catalog import TemplateCatalog

    catalog = TemplateCatalog.load()
    try:
        chosen = [catalog.get(template_id)] if template_id else catalog.list()
    except KeyError as exc:
        raise typer.BadParameter(str(exc)) from None
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            audit_ws = await ensure_default(session)
            made = await seo.propose(
                session, chosen, actor=_operator(), audit_workspace_id=audit_ws.id
            )
            await session.commit()
            return len(made)
    finally:
        await engine.dispose()


async def _seo_review(settings: Settings, proposal_id: str | None, *, accept: bool) -> str:
    from accounts.workspaces import ensure_default
    from storage.db import create_engine, session_factory
    from workflows import seo

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            if proposal_id is None:
                waiting = await seo.pending(session)
                if not waiting:
                    return "Nothing waits for review."
                return "\n\n".join(
                    f"{p.id}  /t/{p.template_id}\n  title: {p.title}\n"
                    f"  description: {p.description}\n  keywords: {', '.join(p.keywords)}"
                    for p in waiting
                )
            audit_ws = await ensure_default(session)
            try:
                decided = await seo.decide(
                    session,
                    proposal_id,
                    accept=accept,
                    actor=_operator(),
                    audit_workspace_id=audit_ws.id,
                )
            except LookupError as exc:
                raise typer.BadParameter(str(exc)) from None
            await session.commit()
            if accept:
                return f"Accepted: /t/{decided.template_id} now uses these texts."
            return f"Rejected: /t/{decided.template_id} keeps its texts."
    finally:
        await engine.dispose()


def _operator() -> str:
    return f"cli:{getpass.getuser()}"


def register_support(app: typer.Typer) -> None:
    """Add `levqor support list` and `levqor support reply ID "text"`."""
    support_app = typer.Typer(help="The support queue.", no_args_is_help=True)
    app.add_typer(support_app, name="support")

    @support_app.command("list")
    def support_list() -> None:
        """Open tickets of every workspace, soonest due first (best effort last)."""
        rows = asyncio.run(_support_queue(Settings()))
        if not rows:
            typer.echo("No open tickets.")
            return
        for line in rows:
            typer.echo(line)

    @support_app.command("reply")
    def support_reply(
        ticket_id: str = typer.Argument(..., help="the ticket's id, as `support list` shows it"),
        text: str = typer.Argument(..., help="the reply, in quotes"),
    ) -> None:
        """Answer a ticket: the customer gets it by email and sees it on the Help page."""
        ok, said = asyncio.run(_support_reply(Settings(), ticket_id, text))
        typer.echo(said, err=not ok)
        if not ok:
            raise typer.Exit(1)


async def _support_reply(settings: Settings, ticket_id: str, text: str) -> tuple[bool, str]:
    import httpx

    from accounts import support, support_replies
    from storage.db import create_engine, session_factory

    engine = create_engine(settings)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            try:
                ticket = await support_replies.add_reply(session, ticket_id, text, "levqor cli")
            except support.TicketError as exc:
                return False, str(exc)
            await session.commit()
        async with httpx.AsyncClient(timeout=30) as http:
            sent = await support_replies.email_reply(settings, sessions, http, ticket, text.strip())
    finally:
        await engine.dispose()
    where = {"email": f"emailed to {ticket.email}", "outbox": "kept in the outbox (no SMTP)"}
    said = where.get(sent.delivered, f"not emailed: {sent.problem}")
    return True, f"Replied to “{ticket.subject}”: shown on their Help page, {said}."


async def _support_queue(settings: Settings) -> list[str]:
    from accounts import support
    from storage.db import create_engine, session_factory
    from storage.types import utcnow

    engine = create_engine(settings)
    try:
        tickets = await support.queue(session_factory(engine))
    finally:
        await engine.dispose()
    now = utcnow()
    lines = []
    for t in tickets:
        due = f"due {t.due_at:%Y-%m-%d %H:%M} UTC" if t.due_at else "best effort"
        alert = support.needs_alert(t, now)
        flag = f" [{alert.upper()}]" if alert else ""
        plan = (t.plan or "no plan").capitalize()
        lines.append(f"{t.id}  {due}{flag}  {plan}  {t.email or ''}  {t.subject}")
    return lines
