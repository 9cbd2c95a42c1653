"""Run history kept as long as the plan says (`Plan.retention_days`), then deleted with its steps
and events. Unmetered workspaces keep everything; runs still going are never touched."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.subscriptions import plan_of
from storage.models import (
    ENDED_RUN_STATUSES,
    Run,
    RunEvent,
    StepRun,
    Subscription,
    Workspace,
)

BATCH = 500


async def prune(session: AsyncSession, now: datetime) -> int:
    """Delete finished runs older than each plan's retention (the caller commits); how many."""
    deleted = 0
    for subscription in (await session.exec(select(Subscription))).all():
        cutoff = now - timedelta(days=plan_of(subscription).retention_days)
        own_plans = select(Subscription.workspace_id)
        covered = select(Workspace.id).where(
            Workspace.parent_id == subscription.workspace_id, col(Workspace.id).not_in(own_plans)
        )
        ids = [subscription.workspace_id, *(await session.exec(covered)).all()]
        while True:
            old = select(Run.id).where(
                col(Run.workspace_id).in_(ids),
                col(Run.status).in_(ENDED_RUN_STATUSES),
                col(Run.created_at) < cutoff,
            )
            run_ids = list((await session.exec(old.limit(BATCH))).all())
            if not run_ids:
                break
            await session.exec(delete(StepRun).where(col(StepRun.run_id).in_(run_ids)))
            await session.exec(delete(RunEvent).where(col(RunEvent.run_id).in_(run_ids)))
            await session.exec(delete(Run).where(col(Run.id).in_(run_ids)))
            deleted += len(run_ids)
    return deleted
