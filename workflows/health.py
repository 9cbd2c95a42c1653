"""Health figures: scheduler, runs in the last 24 h, failures, pending approvals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Approval, Decision, Run, RunStatus, Workflow, WorkflowStatus
from storage.types import utcnow


async def figures(session: AsyncSession, workspace_id: str | None) -> dict[str, Any]:
    """Counts for one workspace, or for the whole instance when `workspace_id` is None."""
    since = utcnow() - timedelta(hours=24)

    async def count(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(*where)
        if workspace_id is not None:
            query = query.where(model.workspace_id == workspace_id)
        return int((await session.exec(query)).one())

    runs = await count(Run, col(Run.created_at) >= since)
    failed = await count(Run, col(Run.created_at) >= since, Run.status == RunStatus.failed)
    succeeded = await count(Run, col(Run.created_at) >= since, Run.status == RunStatus.succeeded)
    cancelled = await count(Run, col(Run.created_at) >= since, Run.status == RunStatus.cancelled)
    finished = failed + succeeded  # a cancelled run is neither: it leaves the rate alone
    return {
        "runs_24h": runs,
        "succeeded_24h": succeeded,
        "failed_24h": failed,
        "cancelled_24h": cancelled,
        "success_rate_24h": round(100 * succeeded / finished, 1) if finished else None,
        "waiting_runs": await count(Run, Run.status == RunStatus.waiting),
        "active_workflows": await count(Workflow, Workflow.status == WorkflowStatus.active),
        "pending_approvals": await count(Approval, Approval.decision == Decision.pending),
    }
