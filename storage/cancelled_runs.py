"""Cancel a workspace's queued and waiting runs in one statement, with the reason in words.

Used where a workspace stops (deleted: `accounts.deletion`) or an agency's access to it ends
(`accounts.agencies.unlink`); the engine checks the same reasons again when it claims a run
(`workflows.cancellation`). The reason is stored in `Run.error`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Run, RunStatus
from storage.types import utcnow

AGENCY_ENDED = "the agency that started it no longer has access to this workspace"
WORKSPACE_DELETED = "the workspace was deleted"
PENDING = (RunStatus.queued, RunStatus.waiting)


async def cancel_pending(
    session: AsyncSession, workspace_id: str, reason: str, *, requested_by: Any = None
) -> int:
    """Cancel the workspace's queued and waiting runs (only those whose `requested_by` is in the
    given selection, if one is given); returns how many. Not committed: the caller's boundary
    commits it with its own change."""
    conditions: list[Any] = [
        col(Run.workspace_id) == workspace_id,
        col(Run.status).in_(PENDING),
    ]
    if requested_by is not None:
        conditions.append(col(Run.requested_by).in_(requested_by))
    result = await session.exec(
        update(Run)
        .where(*conditions)
        .values(status=RunStatus.cancelled, error=reason, finished_at=utcnow())
    )
    return int(result.rowcount)
