"""Tickets nearing or past their due time raise an alert in the operator's Slack channel
(`LEVQOR_SUPPORT_CHANNEL`), once per ticket and state ("due soon", then "overdue"); without Slack
configured the alert waits in the outbox like every other Slack message."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import support
from accounts.workspaces import ensure_default
from integrations.base import ActionContext
from integrations.catalog import default_registry
from storage.config import Settings
from storage.types import utcnow

log = logging.getLogger(__name__)


def alert_text(ticket_subject: str, state: str, due: datetime, email: str | None) -> str:
    """The alert's words."""
    when = f"{due:%d %b %Y, %H:%M} UTC"
    head = "is overdue" if state == "overdue" else "is due soon"
    who = f" from {email}" if email else ""
    return f":bell: Support ticket “{ticket_subject}”{who} {head} (due {when})."


async def alert_due(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    *,
    now: datetime | None = None,
) -> int:
    """Alert about each open ticket due soon or overdue (each state once); returns how many
    tickets are in an alerting state."""
    channel = settings.support_channel
    if not channel:
        return 0
    now = now or utcnow()
    async with sessions() as session:
        operator = await ensure_default(session)  # the instance's own workspace sends it
        await session.commit()
    post = default_registry().get("slack.post_message")
    sent = 0
    for ticket in await support.queue(sessions):
        state = support.needs_alert(ticket, now)
        if state is None or ticket.due_at is None:
            continue
        key = f"support:{ticket.id}:{state.replace(' ', '-')}"
        ctx = ActionContext(
            settings=settings,
            sessions=sessions,
            http=http,
            workspace_id=operator.id,
            workflow_id="support",
            run_id=ticket.id,
            step_id="alert",
            idempotency_key=key,
        )
        text = alert_text(ticket.subject, state, ticket.due_at, ticket.email)
        await post.run(ctx, {"channel": channel, "text": text})  # keyed: sent once per state
        sent += 1
    return sent


class SupportAlarm:
    """Looks for tickets to alert about every `LEVQOR_SUPPORT_CHECK_SECONDS`."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
    ) -> None:
        self.settings, self.sessions, self.http = settings, sessions, http
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start checking on the running loop."""
        self._task = asyncio.create_task(self._loop(), name="levqor-support-alarm")

    async def close(self) -> None:
        """Stop checking."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                await alert_due(self.settings, self.sessions, self.http)
            except Exception:
                log.exception("could not check the support queue; trying again")
            await asyncio.sleep(self.settings.support_check_seconds)
