"""Events API listeners: App Home, mentions, direct messages, channel messages and reactions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.events.conversation import on_mention
from bot.slack.listeners.events.home import on_home_opened
from bot.slack.listeners.events.messages import on_message
from bot.slack.listeners.events.reactions import on_reaction_added

EVENTS = ("app_home_opened", "app_mention", "message", "reaction_added")


def register(app: AsyncApp) -> None:
    """Listen for the events the manifest subscribes to."""
    app.event("app_home_opened")(on_home_opened)
    app.event("app_mention")(on_mention)
    # Bolt matches `message` on type and subtype only, so one listener routes DMs and channels.
    app.event("message")(on_message)
    app.event("reaction_added")(on_reaction_added)
