"""Events API deliveries taken in once: a retry of an `event_id` already recorded is dropped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SlackEvent
from storage.types import utcnow

log = logging.getLogger("levqor.slack")
KEEP = timedelta(days=2)  # Slack retries within about an hour; this leaves a wide margin


async def first_delivery(
    sessions: async_sessionmaker[AsyncSession], event_id: str, team_id: str | None
) -> bool:
    """Record the event id; False when it was recorded before (a duplicate delivery)."""
    async with sessions() as session:
        session.add(SlackEvent(event_id=event_id, team_id=team_id))
        try:
            await session.commit()
        except IntegrityError:
            return False
    return True


async def forget_old(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Delete event ids older than `KEEP`; returns how many."""
    async with sessions() as session:
        stmt = delete(SlackEvent).where(col(SlackEvent.received_at) < utcnow() - KEEP)
        result = await session.exec(stmt)
        await session.commit()
        return int(result.rowcount or 0)


def dedupe_events(
    sessions: async_sessionmaker[AsyncSession],
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware: answer 200 to a repeated `event_callback` without processing it again."""

    seen = 0

    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        body: dict[str, Any] = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await first_delivery(sessions, str(event_id), body.get("team_id")):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("dropped repeated Slack event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        if event_id:
            nonlocal seen
            seen += 1
            if seen % 500 == 0:
                await forget_old(sessions)
        await next()
        return None

    return middleware
