"""WorkflowScheduler on a real APScheduler and a real job store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from storage.config import Settings
from tests.conftest import make_settings
from workflows import jobs
from workflows.scheduler import WorkflowScheduler, _job_store_engine, create_scheduler
from workflows.spec import IntervalTrigger, ManualTrigger, PollTrigger, ScheduleTrigger, Trigger

WEEKDAYS_9AM = ScheduleTrigger(cron="0 9 * * 1-5", timezone="Europe/London")
HOURLY = IntervalTrigger(seconds=3600)


class RecordingHandler:
    """A FireHandler that remembers what fired, when."""

    def __init__(self, delay: float = 0.0) -> None:
        self.fired: list[tuple[str, float]] = []
        self.finished: list[str] = []
        self.fire_times: list[datetime | None] = []
        self.delay = delay
        self.event = asyncio.Event()

    async def fire(self, workflow_id: str, fire_time: datetime | None = None) -> None:
        """Record a workflow fire, optionally taking a while about it."""
        self.fired.append((workflow_id, time.time()))
        self.fire_times.append(fire_time)
        self.event.set()
        await asyncio.sleep(self.delay)
        self.finished.append(workflow_id)

    async def wait(self, count: int, within: float = 3.0) -> None:
        """Wait until `count` fires have been recorded."""
        async with asyncio.timeout(within):
            while len(self.fired) < count:
                self.event.clear()
                await self.event.wait()


Factory = Callable[..., WorkflowScheduler]


@pytest.fixture
async def schedulers() -> AsyncIterator[list[WorkflowScheduler]]:
    """Every scheduler a test makes, shut down afterwards."""
    made: list[WorkflowScheduler] = []
    yield made
    for scheduler in made:
        await scheduler.shutdown()


@pytest.fixture
def new_scheduler(schedulers: list[WorkflowScheduler]) -> Factory:
    """Build a scheduler on some settings (tracked for teardown)."""

    def build(settings: Settings, handler: RecordingHandler) -> WorkflowScheduler:
        scheduler = create_scheduler(settings, handler)
        schedulers.append(scheduler)
        return scheduler

    return build


async def started(
    factory: Factory,
    settings: Settings,
    handler: RecordingHandler,
    active: Mapping[str, Trigger] | None = None,
) -> WorkflowScheduler:
    """A running scheduler, reconciled with `active`."""
    scheduler = factory(settings, handler)
    await scheduler.start(active=active or {})
    return scheduler


def stored_rows(settings: Settings) -> dict[str, tuple[float | None, dict[str, Any]]]:
    """The raw apscheduler_jobs rows: id -> (next_run_time, unpickled job state)."""
    engine = _job_store_engine(settings)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, next_run_time, job_state FROM apscheduler_jobs")
            )
            return {r.id: (r.next_run_time, pickle.loads(r.job_state)) for r in rows}
    finally:
        engine.dispose()


async def test_interval_workflow_fires_the_handler(
    settings: Settings, new_scheduler: Factory
) -> None:
    handler = RecordingHandler()
    scheduler = await started(new_scheduler, settings, handler)
    before = datetime.now(UTC)
    next_fire = scheduler.sync_workflow("w1", IntervalTrigger(seconds=1))
    assert next_fire is not None
    assert before + timedelta(seconds=1) <= next_fire <= datetime.now(UTC) + timedelta(seconds=1)
    assert scheduler.next_fire_time("w1") == next_fire
    await handler.wait(1)
    assert handler.fired[0][0] == "w1"
    assert handler.fired[0][1] - next_fire.timestamp() < 0.5
    # The handler is told the time the fire was scheduled for (runs are keyed on it).
    assert handler.fire_times[0] == next_fire
    assert scheduler.next_fire_time("w1") == next_fire + timedelta(seconds=1)


async def test_jobs_are_stored_as_text_references_with_deliberate_defaults(
    settings: Settings, new_scheduler: Factory
) -> None:
    scheduler = await started(new_scheduler, settings, RecordingHandler())
    scheduler.sync_workflow("w1", WEEKDAYS_9AM)
    rows = stored_rows(settings)
    assert set(rows) == {"wf:w1"}
    wf = rows["wf:w1"][1]
    assert (wf["func"], wf["args"]) == ("workflows.jobs:fire_workflow", ("w1",))
    assert (wf["coalesce"], wf["max_instances"]) == (True, 1)
    assert wf["misfire_grace_time"] == settings.misfire_grace_seconds


async def test_job_survives_restart_with_same_next_fire_and_pause_removes_it(
    settings: Settings, new_scheduler: Factory
) -> None:
    first = await started(new_scheduler, settings, RecordingHandler())
    first.sync_workflow("weekly", WEEKDAYS_9AM)
    first.sync_workflow("hourly", HOURLY)
    expected = {w: first.next_fire_time(w) for w in ("weekly", "hourly")}
    await first.shutdown()
    assert not first.is_running

    active: dict[str, Trigger] = {"weekly": WEEKDAYS_9AM, "hourly": HOURLY}
    second = await started(new_scheduler, settings, RecordingHandler(), active)
    # Reconcile kept the stored jobs: the hourly clock was not restarted by the restart.
    assert {w: second.next_fire_time(w) for w in active} == expected
    weekly = expected["weekly"]
    assert weekly is not None
    local = weekly.astimezone(ZoneInfo("Europe/London"))
    assert (local.hour, local.minute, local.isoweekday() <= 5) == (9, 0, True)

    assert second.sync_workflow("weekly", None) is None  # paused
    assert second.next_fire_time("weekly") is None
    assert set(stored_rows(settings)) == {"wf:hourly"}


async def restart_after(
    factory: Factory, settings: Settings, triggers: dict[str, IntervalTrigger], down_until: float
) -> tuple[RecordingHandler, float]:
    """Schedule `triggers`, shut down until t0 + `down_until`, restart; return handler and t0."""
    first = await started(factory, settings, RecordingHandler())
    nexts = [first.sync_workflow(w, t) for w, t in triggers.items()]
    assert nexts[0] is not None
    t0 = nexts[0].timestamp() - next(iter(triggers.values())).seconds
    await first.shutdown()
    await asyncio.sleep(t0 + down_until - time.time())
    handler = RecordingHandler()
    await started(factory, settings, handler, triggers)
    return handler, t0


@pytest.mark.slow
async def test_a_backlog_of_missed_fires_runs_once(tmp_path: Path, new_scheduler: Factory) -> None:
    every1 = {"every1": IntervalTrigger(seconds=1)}
    # Down until t0+2.5: missed t0+1 and t0+2, both inside the default 300 s grace.
    handler, t0 = await restart_after(new_scheduler, make_settings(tmp_path), every1, 2.5)
    await asyncio.sleep(t0 + 2.9 - time.time())  # the next regular fire is at t0+3
    assert [w for w, _ in handler.fired] == ["every1"]


@pytest.mark.slow
async def test_a_fire_missed_by_more_than_the_grace_is_skipped(
    tmp_path: Path, new_scheduler: Factory
) -> None:
    settings = make_settings(tmp_path, LEVQOR_MISFIRE_GRACE_SECONDS=1)
    every2 = {"every2": IntervalTrigger(seconds=2)}
    # Down until t0+3.3: the t0+2 fire is 1.3 s late, beyond the grace; the next is at t0+4.
    handler, t0 = await restart_after(new_scheduler, settings, every2, 3.3)
    await asyncio.sleep(t0 + 3.8 - time.time())
    assert handler.fired == []
    await handler.wait(1)
    assert handler.fired[0][1] >= t0 + 4


async def test_reconcile_adds_missing_and_removes_stale(
    settings: Settings, new_scheduler: Factory
) -> None:
    active: dict[str, Trigger] = {
        "cron": WEEKDAYS_9AM,
        "poll": PollTrigger(url="https://example.com/feed", interval_seconds=900),
        "manual": ManualTrigger(),
    }
    scheduler = await started(new_scheduler, settings, RecordingHandler(), active)
    assert {j.workflow_id for j in scheduler.jobs()} == {"cron", "poll"}
    poll_next = scheduler.next_fire_time("poll")
    assert poll_next is not None
    assert poll_next - datetime.now(UTC) <= timedelta(seconds=900)

    scheduler.reconcile({"cron": WEEKDAYS_9AM, "new": HOURLY})
    jobs = scheduler.jobs()
    assert {j.id for j in jobs} == {"wf:new", "wf:cron"}
    fires = [j.next_fire_time for j in jobs]
    assert None not in fires and fires == sorted(fires)  # type: ignore[type-var]  # soonest first
    assert set(stored_rows(settings)) == {"wf:cron", "wf:new"}


async def test_changed_trigger_replaces_job_and_event_trigger_unschedules(
    settings: Settings, new_scheduler: Factory
) -> None:
    scheduler = await started(new_scheduler, settings, RecordingHandler())
    hourly_next = scheduler.sync_workflow("w", HOURLY)
    assert scheduler.sync_workflow("w", HOURLY) == hourly_next  # unchanged: same job
    daily = scheduler.sync_workflow("w", ScheduleTrigger(cron="30 6 * * *", timezone="UTC"))
    assert daily is not None
    assert (daily.hour, daily.minute) == (6, 30)
    assert scheduler.sync_workflow("w", ManualTrigger()) is None
    assert scheduler.jobs() == []


async def test_shutdown_lets_a_fire_in_progress_finish(
    settings: Settings, new_scheduler: Factory
) -> None:
    handler = RecordingHandler(delay=0.3)
    scheduler = await started(new_scheduler, settings, handler)
    scheduler.sync_workflow("w1", IntervalTrigger(seconds=1))
    await handler.wait(1)
    await scheduler.shutdown()
    assert handler.finished == ["w1"]


async def test_one_scheduler_per_process_and_none_before_start(
    tmp_path: Path, new_scheduler: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path)
    idle = new_scheduler(settings, RecordingHandler())
    with pytest.raises(RuntimeError, match="not running"):
        idle.sync_workflow("w", HOURLY)
    running = await started(new_scheduler, settings, RecordingHandler())
    with pytest.raises(RuntimeError, match="already running"):
        await idle.start(active={})
    assert running.is_running
    assert not idle.is_running
    await running.shutdown()
    with caplog.at_level(logging.WARNING, logger="workflows.jobs"):
        await jobs.fire_workflow("w")  # a job firing with no scheduler: logged and skipped
    assert "no scheduler handler registered" in caplog.text
