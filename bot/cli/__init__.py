"""The `levqor` command line."""

from __future__ import annotations

import typer

from bot.cli import assistant, billing, chat, core, drafter, lifecycle, mail, scale
from bot.slack import socket


def build() -> typer.Typer:
    """The CLI app with every command group registered."""
    app = typer.Typer(
        help="Levqor: plain-language automations, approved and run.", no_args_is_help=True
    )
    core.register(app)
    drafter.register(app)
    assistant.register(app)
    chat.register(app)
    mail.register(app)
    billing.register(app)
    scale.register(app)
    lifecycle.register(app)
    lifecycle.register_seo(app)
    lifecycle.register_support(app)
    socket.register(app)
    return app


def main() -> None:
    """Entry point of the `levqor` console script."""
    build()()
