"""`levqor billing setup` (Stripe products and prices, idempotent) and `levqor billing status`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from storage.config import Settings

console = Console()


def register(app: typer.Typer) -> None:
    """Add the billing commands to the CLI."""
    billing = typer.Typer(help="Levqor's own plans and Stripe billing.", no_args_is_help=True)
    app.add_typer(billing, name="billing")

    @billing.command("setup")
    def setup() -> None:
        """Create the plans' products and prices in Stripe (found by lookup key; safe to rerun)."""
        from accounts.stripe_billing import BillingNotConfigured, billing_client
        from accounts.stripe_billing import setup as setup_stripe

        async def go() -> None:
            async with billing_client(Settings()) as client:
                result = await setup_stripe(client)
            for name in result.created:
                console.print(f"created {name}")
            console.print(
                f"[green]{len(result.created)} created, {len(result.found)} already there[/green]"
            )

        try:
            asyncio.run(go())
        except BillingNotConfigured as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None

    @billing.command("status")
    def status(
        workspace: Annotated[str, typer.Option(help="The workspace's slug.")] = "default",
    ) -> None:
        """A workspace's plan, status and usage against its limits."""
        from accounts.billing import summary
        from accounts.workspaces import get_by_slug
        from storage.db import create_engine, session_factory

        async def go() -> str:
            engine = create_engine(Settings())
            try:
                async with session_factory(engine)() as session:
                    found = await get_by_slug(session, workspace)
                    if found is None:
                        raise typer.BadParameter(f"no workspace {workspace!r}")
                    return (await summary(session, found.id)).sentence()
            finally:
                await engine.dispose()

        console.print(asyncio.run(go()))
