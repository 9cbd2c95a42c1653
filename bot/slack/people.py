"""Who a Slack user is by address: the member who signed up on the web with the same email is
the same person in Slack (linked on their first contact), not a second member."""

from __future__ import annotations

import asyncio
import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.slack.client import web_client
from integrations.slack import stored_bot_token
from storage.config import Settings
from storage.models import Workspace

log = logging.getLogger(__name__)

# First contact waits at most this long for Slack's answer; without one the user joins as new.
LOOKUP_SECONDS = 3


async def slack_email(
    settings: Settings, session: AsyncSession, workspace: Workspace, slack_user_id: str
) -> str | None:
    """The Slack user's email address (`users.info`, scope `users:read.email`), lower-cased;
    None when Slack does not say (no scope, a bot, Slack unreachable)."""
    # the same token a run's Slack steps use: the team's own install, else SLACK_BOT_TOKEN
    token = await stored_bot_token(session, workspace.id, settings) or settings.slack_bot_token
    if not token:
        return None
    client = web_client(settings, token, timeout=LOOKUP_SECONDS)
    try:
        reply = await asyncio.wait_for(client.users_info(user=slack_user_id), LOOKUP_SECONDS)
    except Exception as exc:  # no answer, whatever the cause: they join as a new member
        log.info("no address for Slack user %s: %s", slack_user_id, exc)
        return None
    user = reply.get("user")
    profile = user.get("profile") if isinstance(user, dict) else None
    email = profile.get("email") if isinstance(profile, dict) else None
    return email.strip().lower() if isinstance(email, str) and "@" in email else None
