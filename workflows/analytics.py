"""Analytics over stored runs: per-day outcomes and durations, failing workflows, live counts.

Days are the workspace's calendar days (its timezone, UTC by default): PostgreSQL groups them in
SQL with `timezone(zone, created_at)`; SQLite, which knows no zones, hands back each run's time
and status and they are grouped here. Duration percentiles are computed here over the period's
finished runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Date, case, cast, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Approval, Decision, Run, RunStatus, Workflow
from storage.types import utcnow
from workflows.scheduler import ScheduledJob

PERIODS = (7, 30, 90)
TOP_FAILING = 5


@dataclass(frozen=True)
class Day:
    """One day's runs (in the workspace's timezone): outcomes, success rate, durations (ms)."""

    day: date
    succeeded: int = 0
    failed: int = 0
    other: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None

    @property
    def total(self) -> int:
        """Every run created that day."""
        return self.succeeded + self.failed + self.other

    @property
    def success_rate(self) -> float | None:
        """Percent of the day's finished runs that succeeded (None when none finished)."""
        finished = self.succeeded + self.failed
        return round(100 * self.succeeded / finished, 1) if finished else None


@dataclass(frozen=True)
class FailingWorkflow:
    """A workflow's failures over the period, its failure rate and latest error."""

    workflow_id: str
    name: str
    runs: int
    failures: int
    last_error: str | None
    last_failed_at: datetime | None

    @property
    def failure_rate(self) -> float:
        """Percent of the workflow's runs in the period that failed."""
        return round(100 * self.failures / self.runs, 1) if self.runs else 0.0


@dataclass(frozen=True)
class Period:
    """Everything the analytics page shows for the last `days` days."""

    days: int
    since: datetime
    per_day: list[Day]
    top_failing: list[FailingWorkflow]
    p50_ms: float | None
    p95_ms: float | None

    @property
    def runs(self) -> int:
        """Runs in the period."""
        return sum(d.total for d in self.per_day)

    @property
    def succeeded(self) -> int:
        """Succeeded runs in the period."""
        return sum(d.succeeded for d in self.per_day)

    @property
    def failed(self) -> int:
        """Failed runs in the period."""
        return sum(d.failed for d in self.per_day)

    @property
    def success_rate(self) -> float | None:
        """Percent of the period's finished runs that succeeded."""
        finished = self.succeeded + self.failed
        return round(100 * self.succeeded / finished, 1) if finished else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1) with linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def zone_of(name: str | None) -> tzinfo:
    """The timezone called `name`, UTC when it is empty or unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def period_start(days: int, now: datetime | None = None, zone: tzinfo = UTC) -> datetime:
    """Midnight in `zone` of the first of the last `days` days (today included)."""
    today = (now or utcnow()).astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    return datetime(first.year, first.month, first.day, tzinfo=zone)


def _local_day(session: AsyncSession, column: Any, zone: tzinfo) -> Any | None:
    """The calendar day in `zone` of a timestamp column as SQL (PostgreSQL), else None."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return cast(func.timezone(str(zone), column), Date)
    return None


async def _counts(
    session: AsyncSession, scope: tuple[Any, ...], zone: tzinfo
) -> dict[date, dict[str, int]]:
    """Runs per local day and status."""
    counts: dict[date, dict[str, int]] = {}
    day = _local_day(session, Run.created_at, zone)
    if day is not None:
        grouped = await session.exec(
            select(day, Run.status, func.count()).where(*scope).group_by(day, Run.status)
        )
        for bucket, status, count in grouped.all():
            counts.setdefault(_as_date(bucket), {})[str(status)] = int(count)
        return counts
    rows = await session.exec(select(Run.created_at, Run.status).where(*scope))
    for created, status in rows.all():
        seen = counts.setdefault(_aware(created).astimezone(zone).date(), {})
        seen[str(status)] = seen.get(str(status), 0) + 1
    return counts


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def period(
    session: AsyncSession,
    workspace_id: str,
    days: int,
    now: datetime | None = None,
    timezone: str | None = None,
) -> Period:
    """Runs of the workspace's last `days` days (in `timezone`) by day, duration percentiles,
    failing workflows."""
    zone = zone_of(timezone)
    since = period_start(days, now, zone)
    scope = (
        col(Run.workspace_id) == workspace_id,
        col(Run.created_at) >= since.astimezone(UTC),
        col(Run.dry_run) == False,  # noqa: E712
    )
    counts = await _counts(session, scope, zone)
    durations: dict[date, list[float]] = {}
    finished = await session.exec(
        select(Run.created_at, Run.started_at, Run.finished_at).where(
            *scope,
            col(Run.status).in_([RunStatus.succeeded, RunStatus.failed]),
            col(Run.started_at).is_not(None),
            col(Run.finished_at).is_not(None),
        )
    )
    for created, started, ended in finished.all():
        if started is None or ended is None:
            continue
        ms = (ended - started).total_seconds() * 1000
        durations.setdefault(_aware(created).astimezone(zone).date(), []).append(ms)
    per_day = []
    for offset in range(days):
        current = since.date() + timedelta(days=offset)
        seen = counts.get(current, {})
        spent = durations.get(current, [])
        succeeded, failed = seen.get("succeeded", 0), seen.get("failed", 0)
        per_day.append(
            Day(
                current,
                succeeded=succeeded,
                failed=failed,
                other=sum(seen.values()) - succeeded - failed,
                p50_ms=percentile(spent, 0.5),
                p95_ms=percentile(spent, 0.95),
            )
        )
    every = [ms for values in durations.values() for ms in values]
    return Period(
        days=days,
        since=since,
        per_day=per_day,
        top_failing=await top_failing(session, workspace_id, since.astimezone(UTC)),
        p50_ms=percentile(every, 0.5),
        p95_ms=percentile(every, 0.95),
    )


async def top_failing(
    session: AsyncSession, workspace_id: str, since: datetime, limit: int = TOP_FAILING
) -> list[FailingWorkflow]:
    """Workflows with failed runs since `since`, most failures first, with their latest error."""
    is_failed = case((col(Run.status) == RunStatus.failed, 1), else_=0)
    failures = func.sum(is_failed)
    rows = await session.exec(
        select(Run.workflow_id, Workflow.name, func.count(), failures)
        .join(Workflow, col(Workflow.id) == col(Run.workflow_id))
        .where(
            col(Run.workspace_id) == workspace_id,
            col(Run.created_at) >= since,
            col(Run.dry_run) == False,  # noqa: E712
        )
        .group_by(Run.workflow_id, Workflow.name)
        .having(failures > 0)
        .order_by(failures.desc(), Workflow.name)
        .limit(limit)
    )
    result = []
    for workflow_id, name, runs, failed in rows.all():
        latest = (
            await session.exec(
                select(Run)
                .where(
                    col(Run.workspace_id) == workspace_id,
                    col(Run.workflow_id) == workflow_id,
                    col(Run.status) == RunStatus.failed,
                    col(Run.created_at) >= since,
                )
                .order_by(col(Run.created_at).desc())
                .limit(1)
            )
        ).first()
        error = (latest.error or "").splitlines()[0][:300] if latest and latest.error else None
        result.append(
            FailingWorkflow(
                workflow_id,
                name,
                int(runs),
                int(failed),
                error,
                latest.finished_at or latest.created_at if latest else None,
            )
        )
    return result


async def recent_failures(session: AsyncSession, workspace_id: str, limit: int = 5) -> list[Any]:
    """The workspace's latest failed runs as (run, workflow name), newest first."""
    rows = await session.exec(
        select(Run, Workflow.name)
        .join(Workflow, col(Workflow.id) == col(Run.workflow_id))
        .where(col(Run.workspace_id) == workspace_id, col(Run.status) == RunStatus.failed)
        .order_by(col(Run.created_at).desc())
        .limit(limit)
    )
    return list(rows.all())


async def live_counts(session: AsyncSession, workspace_id: str) -> dict[str, Any]:
    """What is going on now: running and waiting runs, pending approvals, the last outcome."""

    async def count(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
        return int((await session.exec(query.where(*where))).one())

    last = (
        await session.exec(
            select(Run, Workflow.name)
            .join(Workflow, col(Workflow.id) == col(Run.workflow_id))
            .where(
                col(Run.workspace_id) == workspace_id,
                col(Run.status).in_([RunStatus.succeeded, RunStatus.failed]),
                col(Run.dry_run) == False,  # noqa: E712
            )
            .order_by(col(Run.finished_at).desc())
            .limit(1)
        )
    ).first()
    last_run = None
    if last is not None:
        run, name = last
        finished = run.finished_at.isoformat() if run.finished_at else None
        last_run = {"id": run.id, "workflow": name, "status": run.status.value, "at": finished}
    return {
        "running": await count(Run, col(Run.status).in_([RunStatus.running, RunStatus.queued])),
        "waiting": await count(Run, Run.status == RunStatus.waiting),
        "pending_approvals": await count(Approval, Approval.decision == Decision.pending),
        "last_run": last_run,
    }


async def workspace_jobs(
    session: AsyncSession, workspace_id: str, jobs: list[ScheduledJob]
) -> list[ScheduledJob]:
    """The scheduler jobs of this workspace: its time-triggered workflows' fires."""
    workflows = set(
        (await session.exec(select(Workflow.id).where(Workflow.workspace_id == workspace_id))).all()
    )
    return [j for j in jobs if j.workflow_id in workflows]
