"""App Home of a deleted workspace: that it was deleted, when it is erased, how to restore it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.slack.views.blocks import context, header, section


def deleted_home_view(name: str, purge_on: datetime, restore_link: str) -> dict[str, Any]:
    """The home tab while the workspace waits for its purge (no figures, no buttons)."""
    day = f"{purge_on:%-d %B %Y}"
    when = f"<!date^{int(purge_on.timestamp())}^{{date_long}}|{day}>"
    blocks = [
        header("Levqor"),
        section(
            f"*{name} was deleted.* Its workflows are stopped and nothing runs. "
            f"Everything in it will be erased for good on {when}."
        ),
        section(
            f"Changed your mind? An owner can restore it until then: sign in and press "
            f"*Restore workspace* on <{restore_link}|the Workspace page>."
        ),
        context(f"Restore it here: {restore_link}"),
    ]
    return {"type": "home", "blocks": blocks}
