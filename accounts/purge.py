"""The retention purge: run data, messages, charts and conversations past the plan's retention.

Deletes in batches, each batch its own transaction, oldest first: a purge stopped halfway (a
crash, a deploy) leaves whole batches done and the rest untouched, and the next purge simply
carries on. Running it twice deletes nothing the second time (idempotent). Unfinished runs
(queued, running, waiting) are never purged. Each workspace's purge leaves one audit record,
its actor pseudonymised.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.export import archive_path, expired_exports
from accounts.retention import RESTORE_DAYS, retention_days
from accounts.subscriptions import plan_of
from integrations.charts import chart_path
from storage.config import Settings
from storage.models import (
    ENDED_RUN_STATUSES,
    TENANT_TABLES,
    AuditLog,
    ExportJob,
    OutboxMessage,
    Run,
    RunEvent,
    StepRun,
    Subscription,
    Workspace,
)
from storage.types import utcnow

BATCH_SIZE = 500
FINISHED = ENDED_RUN_STATUSES
# Every tenant table (`storage.models.TENANT_TABLES`, the one list of them), in an order the
# foreign keys allow deleting in (erasing a workspace): a table before every table it references.
_DEPENDENCY_RANK = {table.name: rank for rank, table in enumerate(SQLModel.metadata.sorted_tables)}
ERASE_ORDER: tuple[type[Any], ...] = tuple(
    sorted(TENANT_TABLES, key=lambda model: _DEPENDENCY_RANK[model.__tablename__], reverse=True)
)
# Called after each batch's deletes, before its commit (tests use it to stop a purge halfway).
BatchHook = Callable[[str], Awaitable[None]]


@dataclass
class PurgeCounts:
    """What one workspace's purge removed (or, in a dry run, would remove)."""

    runs: int = 0
    steps: int = 0
    events: int = 0
    messages: int = 0
    charts: int = 0
    conversations: int = 0

    @property
    def total(self) -> int:
        """Everything removed."""
        return sum(asdict(self).values())


@dataclass
class WorkspacePurge:
    """One workspace's purge: its retention, the cut-off, and what went."""

    workspace_id: str
    slug: str
    retention_days: int
    cutoff: datetime
    counts: PurgeCounts


def pseudonym(settings: Settings, actor: str) -> str:
    """A stable stand-in for an actor's name: the same actor always maps to the same pseudonym,
    which reveals nothing about who it was without the instance's secret key."""
    key = settings.resolved_secret_key.encode()
    return "actor-" + hmac.new(key, f"actor:{actor}".encode(), hashlib.sha256).hexdigest()[:12]


class Purger:
    """Purges every workspace (or one) as of `now`; `on_batch` runs before each batch commits."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        batch_size: int = BATCH_SIZE,
        on_batch: BatchHook | None = None,
        retention: Callable[[Workspace], int] = retention_days,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.checkpointer = checkpointer
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.retention = retention

    async def purge(
        self, *, now: datetime | None = None, dry_run: bool = False, actor: str = "scheduler"
    ) -> list[WorkspacePurge]:
        """Purge each workspace past its retention; returns what each one lost."""
        now = now or utcnow()
        async with self.sessions() as session:
            workspaces = (await session.exec(select(Workspace).order_by(col(Workspace.slug)))).all()
            planned = {
                sub.workspace_id: plan_of(sub).retention_days
                for sub in (await session.exec(select(Subscription))).all()
            }
        if not dry_run:
            await self._expired_exports(now)
        results = []
        for workspace in workspaces:
            erase_after = workspace.deleted_at and workspace.deleted_at + timedelta(RESTORE_DAYS)
            if erase_after is not None and now > erase_after:
                if not dry_run:
                    await self.erase(workspace.id)
                continue
            # A workspace on a Levqor plan keeps data as long as its plan says (accounts.plans).
            days = (
                planned.get(workspace.id) or self.retention(workspace)
                if self.retention is retention_days
                else self.retention(workspace)
            )
            cutoff = now - timedelta(days=days)
            counts = (
                await self._count(workspace.id, cutoff)
                if dry_run
                else await self._delete(workspace.id, cutoff)
            )
            if not dry_run and counts.total:
                await self._audit(workspace.id, actor, days, cutoff, counts)
            results.append(WorkspacePurge(workspace.id, workspace.slug, days, cutoff, counts))
        return results

    async def erase(self, workspace_id: str) -> None:
        """Erase a workspace everywhere: chart files and conversations first, then every row of
        every tenant table and the workspace itself in one transaction (stopped halfway, the
        next purge erases what is left: files and conversations already gone are no error)."""
        async with self.sessions() as session:
            outputs = select(StepRun.output).where(StepRun.workspace_id == workspace_id)
            charts = [c for c in map(_chart, (await session.exec(outputs)).all()) if c]
        for chart in charts:
            self._remove_chart(chart)
        async with self.sessions() as session:
            exports = select(ExportJob.id).where(ExportJob.workspace_id == workspace_id)
            for job_id in (await session.exec(exports)).all():
                archive_path(self.settings, job_id).unlink(missing_ok=True)
        if self.checkpointer is not None:
            threads = {
                str(item.config["configurable"]["thread_id"])
                async for item in self.checkpointer.alist(
                    None, filter={"workspace_id": workspace_id}
                )
            }
            for thread in sorted(threads):
                await self.checkpointer.adelete_thread(thread)
        async with self.sessions() as session:
            for model in ERASE_ORDER:
                await session.exec(delete(model).where(model.workspace_id == workspace_id))
            clients = select(Workspace).where(Workspace.parent_id == workspace_id)
            for client in (await session.exec(clients)).all():
                client.parent_id = None  # an agency's clients stay, on their own
                session.add(client)
            await session.flush()
            await session.exec(delete(Workspace).where(col(Workspace.id) == workspace_id))
            if self.on_batch is not None:
                await self.on_batch("erase")
            await session.commit()

    async def _expired_exports(self, now: datetime) -> None:
        """Export archives whose link has expired: file, then row."""
        async with self.sessions() as session:
            for job in (await session.exec(expired_exports(now))).all():
                archive_path(self.settings, job.id).unlink(missing_ok=True)
                await session.delete(job)
            await session.commit()

    def _old_runs(self, workspace_id: str, cutoff: datetime) -> Any:
        return (
            select(Run.id)
            .where(Run.workspace_id == workspace_id, Run.created_at < cutoff)
            .where(col(Run.status).in_(FINISHED))
        )

    async def _count(self, workspace_id: str, cutoff: datetime) -> PurgeCounts:
        old = self._old_runs(workspace_id, cutoff)
        async with self.sessions() as session:

            async def count(query: Any) -> int:
                return int(
                    (await session.exec(select(func.count()).select_from(query.subquery()))).one()
                )

            steps = select(StepRun.id, StepRun.output).where(col(StepRun.run_id).in_(old))
            charts = sum(1 for _id, output in (await session.exec(steps)).all() if _chart(output))
            return PurgeCounts(
                runs=await count(old),
                steps=await count(select(StepRun.id).where(col(StepRun.run_id).in_(old))),
                events=await count(select(RunEvent.id).where(col(RunEvent.run_id).in_(old))),
                messages=await count(self._old_messages(workspace_id, cutoff)),
                charts=charts,
                conversations=len(await self._old_threads(workspace_id, cutoff)),
            )

    def _old_messages(self, workspace_id: str, cutoff: datetime) -> Any:
        return select(OutboxMessage.id).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.created_at < cutoff
        )

    async def _delete(self, workspace_id: str, cutoff: datetime) -> PurgeCounts:
        counts = PurgeCounts()
        while await self._run_batch(workspace_id, cutoff, counts):
            pass
        while await self._message_batch(workspace_id, cutoff, counts):
            pass
        if self.checkpointer is not None:
            for thread in await self._old_threads(workspace_id, cutoff):
                await self.checkpointer.adelete_thread(thread)
                counts.conversations += 1
        return counts

    async def _run_batch(self, workspace_id: str, cutoff: datetime, counts: PurgeCounts) -> bool:
        async with self.sessions() as session:
            query = self._old_runs(workspace_id, cutoff).order_by(col(Run.created_at))
            ids = list((await session.exec(query.limit(self.batch_size))).all())
            if not ids:
                return False
            outputs = select(StepRun.output).where(col(StepRun.run_id).in_(ids))
            charts = [c for c in map(_chart, (await session.exec(outputs)).all()) if c]
            events = await session.exec(delete(RunEvent).where(col(RunEvent.run_id).in_(ids)))
            steps = await session.exec(delete(StepRun).where(col(StepRun.run_id).in_(ids)))
            runs = await session.exec(delete(Run).where(col(Run.id).in_(ids)))
            # Files go before the commit: stopped in between, the rows stay and the next purge
            # deletes them (a missing chart file is no error), never an orphaned file.
            counts.charts += sum(self._remove_chart(chart) for chart in charts)
            if self.on_batch is not None:
                await self.on_batch("runs")
            await session.commit()
        counts.events += events.rowcount
        counts.steps += steps.rowcount
        counts.runs += runs.rowcount
        return True

    async def _message_batch(
        self, workspace_id: str, cutoff: datetime, counts: PurgeCounts
    ) -> bool:
        async with self.sessions() as session:
            query = self._old_messages(workspace_id, cutoff).limit(self.batch_size)
            ids = list((await session.exec(query)).all())
            if not ids:
                return False
            gone = await session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
            if self.on_batch is not None:
                await self.on_batch("messages")
            await session.commit()
        counts.messages += gone.rowcount
        return True

    def _remove_chart(self, chart_id: str) -> int:
        path = chart_path(self.settings, chart_id)
        if path is None or not path.is_file():
            return 0
        path.unlink(missing_ok=True)
        return 1

    async def _old_threads(self, workspace_id: str, cutoff: datetime) -> list[str]:
        """The workspace's conversations whose last message is older than the cut-off."""
        if self.checkpointer is None:
            return []
        latest: dict[str, str] = {}
        async for item in self.checkpointer.alist(None, filter={"workspace_id": workspace_id}):
            thread = str(item.config["configurable"]["thread_id"])
            stamp = str(item.checkpoint["ts"])
            latest[thread] = max(stamp, latest.get(thread, stamp))
        return sorted(t for t, ts in latest.items() if datetime.fromisoformat(ts) < cutoff)

    async def _audit(
        self, workspace_id: str, actor: str, days: int, cutoff: datetime, counts: PurgeCounts
    ) -> None:
        async with self.sessions() as session:
            detail = {**asdict(counts), "retention_days": days, "cutoff": cutoff.isoformat()}
            session.add(
                AuditLog(
                    workspace_id=workspace_id,
                    actor=pseudonym(self.settings, actor),
                    action="data.purged",
                    subject=f"data older than {days} days",
                    detail=detail,
                )
            )
            await session.commit()


def _chart(output: object) -> str | None:
    """The chart id a step's output names (report.build), if any."""
    if isinstance(output, dict) and isinstance(output.get("chart_id"), str):
        return str(output["chart_id"])
    return None
