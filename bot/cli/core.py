"""Core commands: serve, db, keys, password-link, templates, run, schema."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from storage.config import Settings

console = Console()


def register(app: typer.Typer) -> None:
    """Add the core commands to the CLI."""
    db = typer.Typer(help="Database schema.", no_args_is_help=True)
    keys = typer.Typer(help="Workspace API keys.", no_args_is_help=True)
    app.add_typer(db, name="db")
    app.add_typer(keys, name="keys")

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    ) -> None:
        """Apply migrations and start Levqor (API, webhook hub and scheduler in one process)."""
        import uvicorn

        from bot.app import create_app
        from storage import migrate

        settings = Settings()
        migrate.upgrade(settings)
        asyncio.run(_ensure_default(settings))
        uvicorn.run(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            loop="uvloop",  # the C event loop and HTTP parser: less CPU per request
            http="httptools",
            timeout_graceful_shutdown=5,  # open live streams end instead of holding shutdown
        )

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Apply every migration to the configured database."""
        from storage import migrate

        settings = Settings()
        migrate.upgrade(settings)
        asyncio.run(_ensure_default(settings))
        console.print("[green]database is up to date[/green]")

    @db.command("check")
    def db_check() -> None:
        """Fail if the models and the migrations disagree."""
        from storage import migrate

        migrate.check(Settings())
        console.print("[green]migrations match the models[/green]")

    @keys.command("create")
    def keys_create(
        role: Annotated[str, typer.Option(help="owner, admin, operator or viewer")] = "owner",
        workspace: Annotated[str, typer.Option(help="Workspace slug.")] = "default",
    ) -> None:
        """Create an API key and print it (it is shown only once)."""
        from storage.models import Role

        try:
            parsed = Role(role)
        except ValueError:
            raise typer.BadParameter("role must be owner, admin, operator or viewer") from None
        typer.echo(asyncio.run(_create_key(Settings(), parsed, workspace)))

    @app.command("password-link")
    def password_link(email: str) -> None:
        """Print a one-time link (valid an hour) that sets a new web password for EMAIL."""
        typer.echo(asyncio.run(_password_link(Settings(), email)))

    @app.command()
    def templates(
        category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    ) -> None:
        """List the workflow templates."""
        from workflows.catalog import TemplateCatalog

        table = Table("category", "name", "description")
        table.add_column("id", no_wrap=True)  # ids are what you type next: never wrapped
        for t in TemplateCatalog.load().list(category=category):
            table.add_row(t.category, t.name, t.description, t.id)
        console.print(table)

    @app.command()
    def run(workflow_id: str) -> None:
        """Run a workflow's approved version now, in this process, and print the outcome."""
        result = asyncio.run(_run(Settings(), workflow_id))
        console.print_json(json.dumps(result))
        if result["status"] != "succeeded":
            raise typer.Exit(1)

    @app.command()
    def schema() -> None:
        """Print the JSON Schema of a workflow spec."""
        from workflows.spec import WorkflowSpec

        typer.echo(json.dumps(WorkflowSpec.model_json_schema(), indent=2))


async def _ensure_default(settings: Settings) -> None:
    from accounts.workspaces import ensure_default
    from storage.db import create_engine, session_factory

    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        await ensure_default(session)
        await session.commit()
    await engine.dispose()


async def _create_key(settings: Settings, role: object, slug: str) -> str:
    from accounts.keys import create_key
    from accounts.workspaces import DEFAULT_SLUG, ensure_default, get_by_slug
    from storage.db import create_engine, session_factory
    from storage.models import Role

    assert isinstance(role, Role)
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            ws = (
                await ensure_default(session)
                if slug == DEFAULT_SLUG
                else await get_by_slug(session, slug)
            )
            if ws is None:
                raise typer.BadParameter(f"no workspace {slug!r}")
            plaintext, _ = await create_key(session, ws, role)
            await session.commit()
            return plaintext
    finally:
        await engine.dispose()


async def _password_link(settings: Settings, email: str) -> str:
    from sqlmodel import select

    from accounts.password_reset import reset_link
    from storage.db import create_engine, session_factory
    from storage.models import WebLogin

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            query = select(WebLogin).where(WebLogin.email == email.strip().lower())
            login = (await session.exec(query)).first()
            if login is None:
                raise typer.BadParameter(f"no web sign-in uses {email!r}")
            return reset_link(settings, login)
    finally:
        await engine.dispose()


async def _run(settings: Settings, workflow_id: str) -> dict[str, object]:
    from storage.models import Workflow
    from storage.scope import Tenant
    from workflows.runs import run_steps, start_run
    from workflows.runtime import Runtime

    runtime = Runtime(settings)
    try:
        async with runtime.sessions() as session:
            workflow = await session.get(Workflow, workflow_id)
            if workflow is None:
                raise typer.BadParameter(f"no workflow {workflow_id!r}")
            tenant = Tenant(session, workflow.workspace_id)
            started = await start_run(tenant, workflow, trigger_type="manual")
        run = await runtime.engine.execute(started.run.id)
        async with runtime.sessions() as session:
            steps = await run_steps(Tenant(session, run.workspace_id), run.id)
        return {
            "run_id": run.id,
            "status": run.status.value,
            "error": run.error,
            "steps": [{"id": s.step_id, "status": s.status.value, "error": s.error} for s in steps],
        }
    finally:
        await runtime.close()
