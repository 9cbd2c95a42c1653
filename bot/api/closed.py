"""Refuse work for a deleted workspace at the front door: 410 with the sentence, recorded."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import closed
from workflows.errors import Gone


async def refuse_if_closed(session: AsyncSession, workspace_id: str, front: str) -> None:
    """Raise `Gone` (410) when the workspace is deleted, after recording the refusal."""
    if not await closed.is_closed(session, workspace_id):
        return
    await closed.record_refusal(session, workspace_id, front)
    await session.commit()
    raise Gone(closed.CLOSED)
