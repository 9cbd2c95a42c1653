"""Slash command listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands.levqor import levqor_command


def register(app: AsyncApp) -> None:
    """Listen for `/levqor`."""
    app.command("/levqor")(levqor_command)
