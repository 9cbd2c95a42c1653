"""A deleted workspace (restorable for `RESTORE_DAYS`, then purged) takes no more work: webhooks,
inbound mail, its Stripe events, form posts and Slack requests are refused with one plain
sentence, and each refusal is kept in its audit log (once an hour per front, so a sender that
keeps retrying does not flood it). Its schedules are stopped by the runtime."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.retention import RESTORE_DAYS
from storage.models import AuditLog, Workspace
from storage.types import utcnow

CLOSED = (
    "This workspace is being deleted, so it takes no more work and nothing was run. "
    f"An owner can restore it from the Workspace page within {RESTORE_DAYS} days of deleting it."
)
ACTION = "workspace.refused"
RECORD_EVERY = timedelta(hours=1)


async def is_closed(session: AsyncSession, workspace_id: str) -> bool:
    """Whether the workspace is deleted (pending its purge)."""
    workspace = await session.get(Workspace, workspace_id)
    return workspace is not None and workspace.deleted_at is not None


async def record_refusal(
    session: AsyncSession, workspace_id: str, front: str, now: datetime | None = None
) -> bool:
    """Keep the refusal in the audit log unless the same front was recorded within the hour
    (the caller commits); True when a row was added."""
    now = now or utcnow()
    query = (
        select(AuditLog)
        .where(AuditLog.workspace_id == workspace_id, AuditLog.action == ACTION)
        .where(AuditLog.subject == front, col(AuditLog.at) > now - RECORD_EVERY)
    )
    if (await session.exec(query)).first() is not None:
        return False
    session.add(
        AuditLog(
            workspace_id=workspace_id,
            actor=front,
            action=ACTION,
            subject=front,
            detail={"reason": "the workspace is deleted"},
            at=now,
        )
    )
    return True
