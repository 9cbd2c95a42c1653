"""Bolt listeners, one folder per kind, each with a `register(app)`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, views


def register(app: AsyncApp) -> None:
    """Register every listener on the app."""
    for kind in (commands, actions, views, events):
        kind.register(app)
