"""Slash command listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands.levqor import levqor_command
from bot.slack.listeners.commands.triggers import OTHER_COMMANDS, workflow_command


def register(app: AsyncApp) -> None:
    """Listen for `/levqor`, and any other command a workflow may listen for (`/lead`)."""
    app.command("/levqor")(levqor_command)
    app.command(OTHER_COMMANDS)(workflow_command)
