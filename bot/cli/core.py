"""Core commands: serve, db, keys, password-link, templates, run, schema."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli import encryption
from bot.cli import keys as key_commands
from storage.config import Settings, address_url

console = Console()


def register(app: typer.Typer) -> None:
    """Add the core commands to the CLI."""
    db = typer.Typer(help="Database schema.", no_args_is_help=True)
    keys = typer.Typer(help="Workspace API keys.", no_args_is_help=True)
    app.add_typer(db, name="db")
    app.add_typer(keys, name="keys")
    encryption.register(keys)
    key_commands.register(keys)

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
        port: Annotated[
            int | None, typer.Option(help="Port to listen on (0: any free one).")
        ] = None,
        role: Annotated[
            str | None,
            typer.Option(
                help="all (default: everything in one process), web (API and webhooks; runs go "
                "to the queue), worker (web + executing runs from the queue). Needs PostgreSQL "
                "unless all. Default: LEVQOR_ROLE."
            ),
        ] = None,
    ) -> None:
        """Apply migrations and start Levqor (API, webhook hub and scheduler in one process)."""
        import uvicorn

        from bot.app import create_app
        from bot.cli import heap
        from bot.logs import configure_logging
        from storage import migrate
        from storage.config import listening_at

        if role not in (None, "all", "web", "worker"):
            raise typer.BadParameter("role must be all, web or worker")
        base = settings_for(role)
        configure_logging(base)
        sock = _bind(host or base.host, base.port if port is None else port)
        settings = listening_at(base, host or base.host, int(sock.getsockname()[1]))
        upgraded = migrate.upgrade(settings)
        logging.getLogger("levqor").info(upgraded.sentence(_where(settings)))
        ensure_queue(settings)
        asyncio.run(_ensure_default(settings))

        def ready() -> None:
            heap.settle()  # started: what exists now stays out of garbage collection
            typer.echo(f"Levqor is running at {address_url(settings.host, settings.port)}")
            if settings.public_url != address_url(settings.host, settings.port):
                typer.echo(f"Links point at {settings.public_url} (LEVQOR_PUBLIC_URL)")

        config = uvicorn.Config(
            create_app(settings, on_ready=ready),
            log_config=None,  # bot.logs configured every logger
            access_log=False,  # bot.access_log writes one line per request, secrets masked
            loop="uvloop",  # the C event loop and HTTP parser: less CPU per request
            http="httptools",
            timeout_graceful_shutdown=5,  # open live streams end instead of holding shutdown
        )
        uvicorn.Server(config).run(sockets=[sock])

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Apply every migration to the configured database."""
        from storage import migrate

        settings = Settings()
        upgraded = migrate.upgrade(settings)
        ensure_queue(settings)
        created = asyncio.run(_ensure_default(settings))
        console.print(upgraded.sentence(_where(settings)), highlight=False, soft_wrap=True)
        if created:
            console.print("Created the default workspace.", highlight=False)

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


def settings_for(role: str | None) -> Settings:
    """The settings, with `role` (if given) instead of LEVQOR_ROLE; bad settings end the command
    with their message."""
    from pydantic import ValidationError

    from workflows.errors import plain_message

    try:
        return Settings(LEVQOR_ROLE=role) if role else Settings()
    except ValidationError as exc:
        messages = "; ".join(plain_message(e["msg"]) for e in exc.errors())
        raise typer.BadParameter(messages) from None


def ensure_queue(settings: Settings) -> None:
    """Create the run queue's tables on PostgreSQL (once)."""
    if not settings.is_sqlite:
        from workflows.queue import ensure_schema

        ensure_schema(settings)


async def _ensure_default(settings: Settings) -> bool:
    """Create the `default` workspace unless it exists; whether it was created."""
    from accounts.workspaces import DEFAULT_SLUG, ensure_default, get_by_slug
    from storage.db import create_engine, session_factory

    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        existed = await get_by_slug(session, DEFAULT_SLUG) is not None
        await ensure_default(session)
        await session.commit()
    await engine.dispose()
    return not existed


def _where(settings: Settings) -> str:
    """Where the database is, for people: the SQLite file, or the server (no password)."""
    if settings.is_sqlite:
        return str(settings.data_dir / "levqor.db")
    from sqlalchemy.engine import make_url

    return make_url(settings.sync_database_url).render_as_string(hide_password=True)


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


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (bound before anything else, so port 0 is known)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock
