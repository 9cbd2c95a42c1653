"""Analytics aggregation: runs per day (in the workspace's timezone), rates, durations, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Role, Run, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import Recorder, activate
from workflows import analytics, service
from workflows.scheduler import ScheduledJob

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SPEC = {
    "name": "Post leads",
    "trigger": {"type": "manual"},
    "steps": [{"id": "note", "action": "test.note", "inputs": {"text": "hi"}}],
}


async def _add_run(
    sessions: async_sessionmaker[AsyncSession],
    workflow: Workflow,
    created: datetime,
    status: RunStatus,
    seconds: float | None = None,
    *,
    error: str | None = None,
    dry_run: bool = False,
) -> None:
    async with sessions() as session:
        version = await service.active_version(Tenant(session, workflow.workspace_id), workflow)
        started = created + timedelta(seconds=1) if seconds is not None else None
        finished = started + timedelta(seconds=seconds) if started and seconds is not None else None
        session.add(
            Run(
                workspace_id=workflow.workspace_id,
                workflow_id=workflow.id,
                version_id=version.id,
                status=status,
                trigger_type="manual",
                created_at=created,
                started_at=started,
                finished_at=finished,
                error=error,
                dry_run=dry_run,
            )
        )
        await session.commit()


async def _other_workspace(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    async with sessions() as session:
        other = Workspace(slug="globex", name="Globex")
        session.add(other)
        await session.flush()
        session.add(
            Member(workspace_id=other.id, name="Gina", role=Role.owner, email="g@x.example")
        )
        await session.commit()
        return other


async def test_runs_are_grouped_by_utc_day_with_rates_and_percentiles(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    leads = await activate(sessions, workspace, SPEC, registry)
    report = await activate(sessions, workspace, {**SPEC, "name": "Weekly report"}, registry)
    today = NOW.replace(hour=0)
    # Two days ago: 3 succeeded (2 s, 4 s, 6 s) and 1 failed (8 s), one just after midnight.
    two_days = today - timedelta(days=2)
    await _add_run(sessions, leads, two_days + timedelta(minutes=1), RunStatus.succeeded, 2)
    await _add_run(sessions, leads, two_days + timedelta(hours=5), RunStatus.succeeded, 4)
    await _add_run(sessions, report, two_days + timedelta(hours=23), RunStatus.succeeded, 6)
    await _add_run(
        sessions, leads, two_days + timedelta(hours=12), RunStatus.failed, 8, error="boom\nmore"
    )
    # Today: 1 failed (10 s), 1 still running; a dry run that never counts.
    await _add_run(sessions, leads, today + timedelta(hours=9), RunStatus.failed, 10, error="late")
    await _add_run(sessions, report, today + timedelta(hours=10), RunStatus.running)
    await _add_run(sessions, report, today + timedelta(hours=11), RunStatus.failed, 1, dry_run=True)
    # Outside the 7-day period (8 days ago) and another workspace's runs today.
    await _add_run(sessions, report, today - timedelta(days=8), RunStatus.failed, 3)
    other = await _other_workspace(sessions)
    theirs = await activate(sessions, other, SPEC, registry)
    for _ in range(3):
        await _add_run(sessions, theirs, today + timedelta(hours=1), RunStatus.failed, 5)

    async with sessions() as session:
        week = await analytics.period(session, workspace.id, 7, now=NOW)

    assert week.per_day[0].day.isoformat() == "2026-03-04"
    assert week.per_day[-1].day.isoformat() == "2026-03-10" and len(week.per_day) == 7
    by_day = {d.day.isoformat(): d for d in week.per_day}
    old = by_day["2026-03-08"]
    assert (old.succeeded, old.failed, old.other, old.success_rate) == (3, 1, 0, 75.0)
    assert old.p50_ms == 5000.0 and old.p95_ms == pytest.approx(7700.0)  # 2,4,6,8 s interpolated
    now = by_day["2026-03-10"]
    assert (now.succeeded, now.failed, now.other, now.success_rate) == (0, 1, 1, 0.0)
    assert now.p50_ms == now.p95_ms == 10000.0
    empty = by_day["2026-03-09"]
    assert (empty.total, empty.success_rate, empty.p50_ms) == (0, None, None)
    assert (week.runs, week.succeeded, week.failed, week.success_rate) == (6, 3, 2, 60.0)
    assert week.p50_ms == 6000.0 and week.p95_ms == pytest.approx(9600.0)  # 2,4,6,8,10 s

    assert [
        (f.name, f.runs, f.failures, f.failure_rate, f.last_error) for f in week.top_failing
    ] == [("Post leads", 4, 2, 50.0, "late")]
    assert week.top_failing[0].workflow_id == leads.id

    async with sessions() as session:
        quarter = await analytics.period(session, workspace.id, 90, now=NOW)
    assert len(quarter.per_day) == 90 and quarter.runs == 7 and quarter.failed == 3
    assert [(f.name, f.failures, f.failure_rate) for f in quarter.top_failing] == [
        ("Post leads", 2, 50.0),
        ("Weekly report", 1, 33.3),
    ]


async def test_live_counts_and_recent_failures_stay_in_the_workspace(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    leads = await activate(sessions, workspace, SPEC, registry)
    now = datetime.now(UTC)
    await _add_run(sessions, leads, now - timedelta(minutes=9), RunStatus.failed, 1, error="x")
    await _add_run(sessions, leads, now - timedelta(minutes=5), RunStatus.succeeded, 1)
    await _add_run(sessions, leads, now - timedelta(minutes=2), RunStatus.running)
    await _add_run(sessions, leads, now - timedelta(minutes=1), RunStatus.waiting)
    other = await _other_workspace(sessions)
    theirs = await activate(sessions, other, SPEC, registry)
    await _add_run(sessions, theirs, now, RunStatus.running)
    await _add_run(sessions, theirs, now, RunStatus.failed, 1)

    async with sessions() as session:
        counts = await analytics.live_counts(session, workspace.id)
        failures = await analytics.recent_failures(session, workspace.id)
    assert (counts["running"], counts["waiting"], counts["pending_approvals"]) == (1, 1, 0)
    assert counts["last_run"]["status"] == "succeeded"
    assert counts["last_run"]["workflow"] == "Post leads"
    assert [(run.error, name) for run, name in failures] == [("x", "Post leads")]


def test_percentile_interpolates_between_ranks() -> None:
    assert analytics.percentile([], 0.5) is None
    assert analytics.percentile([7.0], 0.95) == 7.0
    assert analytics.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert analytics.percentile([4.0, 1.0, 3.0, 2.0], 0.95) == pytest.approx(3.85)


async def test_scheduler_jobs_are_counted_for_their_own_workspace(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    ours = await activate(sessions, workspace, SPEC, registry)
    other = await _other_workspace(sessions)
    theirs = await activate(sessions, other, SPEC, registry)
    async with sessions() as session:
        jobs = [
            ScheduledJob(f"wf:{ours.id}", ours.id, None, "cron"),
            ScheduledJob(f"wf:{theirs.id}", theirs.id, None, "cron"),
            ScheduledJob("wf:deleted", "deleted", None, "cron"),
        ]
        mine = await analytics.workspace_jobs(session, workspace.id, jobs)
    assert [j.workflow_id for j in mine] == [ours.id]


async def test_days_are_the_workspaces_calendar_days_in_its_timezone(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    leads = await activate(sessions, workspace, SPEC, registry)
    # 03:30 UTC on 10 March is still 9 March in New York (UTC-4 after the DST change on 8 March);
    # 23:30 UTC on 9 March is 10 March in Tokyo (UTC+9).
    await _add_run(sessions, leads, datetime(2026, 3, 10, 3, 30, tzinfo=UTC), RunStatus.failed, 2)
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    await _add_run(sessions, leads, late, RunStatus.succeeded, 4)
    # 02:00 UTC on 4 March is 3 March in New York: before its 7-day window starts.
    await _add_run(sessions, leads, datetime(2026, 3, 4, 2, 0, tzinfo=UTC), RunStatus.failed, 1)

    async with sessions() as session:
        utc = await analytics.period(session, workspace.id, 7, now=NOW)
        york = await analytics.period(session, workspace.id, 7, NOW, "America/New_York")
        tokyo = await analytics.period(session, workspace.id, 7, NOW, "Asia/Tokyo")

    def days(period: analytics.Period) -> dict[str, tuple[int, int]]:
        return {d.day.isoformat(): (d.succeeded, d.failed) for d in period.per_day if d.total}

    assert days(utc) == {"2026-03-04": (0, 1), "2026-03-09": (1, 0), "2026-03-10": (0, 1)}
    assert days(york) == {"2026-03-09": (1, 1)}
    assert york.since.isoformat() == "2026-03-04T00:00:00-05:00" and york.runs == 2
    assert days(tokyo) == {"2026-03-10": (1, 1)}
    assert tokyo.per_day[-1].day.isoformat() == "2026-03-11"  # 15:00 UTC is 00:00 next day there
    assert york.per_day[-1].p50_ms is None and days(york)["2026-03-09"] == (1, 1)
