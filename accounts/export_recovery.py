"""Exports a killed process left behind: a job still `queued` or `running` whose build has not
said it is alive (its heartbeat) for `STALE` is failed with a sentence the owner reads, and its
half-written archive removed. Checked when the app starts and whenever the job is looked at,
on any node (a build on another node that is alive keeps beating, so it is never touched)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.export import HEARTBEAT_SECONDS, archive_path
from storage.config import Settings
from storage.models import ExportJob
from storage.types import utcnow

STALE = timedelta(seconds=HEARTBEAT_SECONDS * 6)
STOPPED = (
    "The export stopped before it finished (the server building it was restarted). "
    "Nothing was lost: start a new export."
)


def is_stale(job: ExportJob, now: datetime) -> bool:
    """A build that should be under way but has not beaten for `STALE`."""
    if job.status not in ("queued", "running"):
        return False
    return (job.heartbeat_at or job.created_at) < now - STALE


def settle(settings: Settings, job: ExportJob, now: datetime | None = None) -> bool:
    """Fail one stale job (the caller commits); True if it was."""
    if not is_stale(job, now or utcnow()):
        return False
    job.status, job.error, job.progress = "failed", STOPPED, 0
    partial = archive_path(settings, job.id).with_suffix(".part")
    partial.unlink(missing_ok=True)
    return True


async def settle_all(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> int:
    """At start-up: fail every stale job of the instance; how many were."""
    now = now or utcnow()
    async with sessions() as session:
        query = select(ExportJob).where(col(ExportJob.status).in_(["queued", "running"]))
        failed = [job for job in (await session.exec(query)).all() if settle(settings, job, now)]
        await session.commit()
    return len(failed)
