"""A conversation reply with options as buttons; once one is picked, the buttons give way to it."""

from __future__ import annotations

from bot.slack import ids
from bot.slack.views.blocks import MAX_BLOCKS, Block, actions, button, context, section

MAX_CHOICES = 5  # Slack allows 25 buttons; a short question offers a few
MAX_VALUE = 2000  # a button's value


def reply_blocks(text: str, choices: list[str]) -> list[Block]:
    """The reply text, then one button per choice (its value is the words the click says)."""
    buttons = [
        button(choice, f"{ids.CHOICE}_{i}", choice[:MAX_VALUE])
        for i, choice in enumerate(choices[:MAX_CHOICES])
    ]
    return [section(text), actions(*buttons, block_id=ids.CHOICE)][:MAX_BLOCKS]


def picked_blocks(text: str, choice: str, user_id: str) -> list[Block]:
    """The same reply once `user_id` picked `choice` (no buttons left to click twice)."""
    return [section(text), context(f"<@{user_id}> chose: {choice}")]
