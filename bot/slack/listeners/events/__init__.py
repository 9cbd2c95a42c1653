"""Events API listeners: App Home, mentions and direct messages."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.events.conversation import on_direct_message, on_mention
from bot.slack.listeners.events.home import on_home_opened

EVENTS = ("app_home_opened", "app_mention", "message")


def register(app: AsyncApp) -> None:
    """Listen for the events the manifest subscribes to."""
    app.event("app_home_opened")(on_home_opened)
    app.event("app_mention")(on_mention)
    app.event({"type": "message", "channel_type": "im"})(on_direct_message)
