"""Socket Mode: `levqor slack` connects out to Slack (no public URL needed) with SLACK_APP_TOKEN."""

from __future__ import annotations

import asyncio

import typer
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from storage.config import Settings


def register(app: typer.Typer) -> None:
    """Add the `slack` command to the CLI."""
    app.command("slack")(slack_command)


def slack_command() -> None:
    """Run the Slack app over Socket Mode (and the scheduler unless LEVQOR_SCHEDULER=false)."""
    settings = Settings()
    if not settings.slack_app_token:
        raise typer.BadParameter("set SLACK_APP_TOKEN (an xapp-… app-level token) first")
    if not settings.slack_bot_token:
        raise typer.BadParameter("set SLACK_BOT_TOKEN (the xoxb-… bot token) first")
    from storage import migrate

    migrate.upgrade(settings)
    asyncio.run(run_socket_mode(settings))


async def run_socket_mode(settings: Settings, *, until: asyncio.Event | None = None) -> None:
    """Start the runtime and the Socket Mode connection; stop when `until` is set (or never)."""
    from accounts.workspaces import ensure_default
    from bot.billing_hooks import install_billing
    from bot.slack.app import create_bolt_app
    from workflows.runtime import Runtime

    # With the scheduler on, this process is a worker: it takes over runs whose process stopped.
    # Without it, it only executes the runs its own Slack requests start.
    runtime = Runtime(settings)
    install_billing(runtime)  # the plan's run quota, as in `create_app`
    await runtime.start(recover=settings.run_scheduler)
    try:
        async with runtime.sessions() as session:
            await ensure_default(session)
            await session.commit()
        handler = AsyncSocketModeHandler(
            create_bolt_app(settings, runtime), settings.slack_app_token
        )
        await handler.connect_async()  # type: ignore[no-untyped-call]
        typer.echo("Levqor is connected to Slack over Socket Mode; Ctrl-C stops it.")
        try:
            await (until or asyncio.Event()).wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        await runtime.close()
