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
