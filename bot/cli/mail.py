"""`levqor mail-gateway`: the built-in SMTP gateway, or a workspace's inbound webhook URL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer

from storage.config import Settings


def register(app: typer.Typer) -> None:
    """Add the `mail-gateway` command to the CLI."""

    @app.command("mail-gateway")
    def mail_gateway(
        port: Annotated[int, typer.Option(help="SMTP port to listen on.")] = 2525,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        show_webhook_url: Annotated[
            bool, typer.Option(help="Print the workspace's inbound-email webhook URL and exit.")
        ] = False,
        workspace: Annotated[
            str, typer.Option(help="Workspace slug (with --show-webhook-url).")
        ] = ("default"),
    ) -> None:
        """Receive mail for <name>@<workspace>.<LEVQOR_MAIL_DOMAIN> and start email workflows."""
        settings = Settings()
        if show_webhook_url:
            typer.echo(asyncio.run(_webhook_info(settings, workspace)))
            return
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(settings, host, port))


async def _webhook_info(settings: Settings, slug: str) -> str:
    from accounts.workspaces import get_by_slug
    from storage.db import create_engine, session_factory
    from workflows.triggers.email import webhook_url

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            found = await get_by_slug(session, slug)
            if found is None:
                raise typer.BadParameter(f"no workspace {slug!r}", param_hint="--workspace")
            url = webhook_url(settings, found)  # pins a secret first derived now
            await session.commit()
    finally:
        await engine.dispose()
    return f"webhook: {url}\naddresses: <name>@{found.slug}.{settings.mail_domain}"


async def _serve(settings: Settings, host: str, port: int) -> None:
    from bot.mail.gateway import MailGateway
    from workflows.runtime import Runtime

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    runtime = await Runtime(settings).start(scheduler=False, recover=False)
    gateway = await MailGateway(runtime, host, port).start()
    typer.echo(
        f"Levqor mail gateway on {host}:{gateway.port} for *@<workspace>.{settings.mail_domain}"
    )
    try:
        await stop.wait()
    finally:
        await gateway.close()
        await runtime.drain()
        await runtime.close()
