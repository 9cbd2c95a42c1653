"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack import ids
from bot.slack.listeners.views.submissions import confirm_submitted, edit_submitted


def register(app: AsyncApp) -> None:
    """Listen for the Edit form and the class C confirmation."""
    app.view(ids.EDIT_VIEW)(edit_submitted)
    app.view(ids.CONFIRM_VIEW)(confirm_submitted)
