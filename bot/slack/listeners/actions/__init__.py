"""Button listeners."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.slack import ids
from bot.slack.listeners.actions.approval import approve, edit, reject
from bot.slack.listeners.actions.choices import pick_choice
from bot.slack.listeners.actions.runs import refresh_home, retry_run, run_workflow
from bot.slack.listeners.actions.support import open_support_ticket
from bot.slack.listeners.actions.trial import try_draft


def register(app: AsyncApp) -> None:
    """Listen for the draft card's (Try it too), the failure alert's, the home tab's and the
    offered options' buttons."""
    app.action(ids.APPROVE)(approve)
    app.action(ids.REJECT)(reject)
    app.action(ids.EDIT)(edit)
    app.action(ids.TRY)(try_draft)
    app.action(ids.RETRY_RUN)(retry_run)
    app.action(ids.RUN_WORKFLOW)(run_workflow)
    app.action(ids.HOME_REFRESH)(refresh_home)
    app.action(ids.SUPPORT_TICKET)(open_support_ticket)
    app.action(re.compile(rf"^{ids.CHOICE}_\d+$"))(pick_choice)
