"""Wait steps persist and the scheduler resumes them on time, also after a restart."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import OutboxMessage, Run, RunEvent, RunStatus, StepRun, StepStatus, Workspace
from tests.conftest import make_settings
from tests.workflows.helpers import activate, new_run
from workflows.runtime import Runtime
from workflows.waits import WaitClock

POST_DAY0 = {"channel": "#x", "text": "day 0"}
POST_LATER = {"channel": "#x", "text": "later"}
SPEC = {
    "name": "Drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hello", "action": "slack.post_message", "inputs": POST_DAY0},
        {"id": "pause", "wait": "2 seconds"},
        {"id": "again", "action": "slack.post_message", "inputs": POST_LATER},
    ],
}


async def status_of(sessions: async_sessionmaker[AsyncSession], run_id: str) -> Run:
    async with sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        return run


async def test_wait_survives_a_restart_and_resumes_on_time(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    scheduled = make_settings(tmp_path, settings.database_url, LEVQOR_SCHEDULER=True)
    first = await Runtime(scheduled).start()
    workflow = await activate(sessions, workspace, SPEC, first.registry)
    run_id = (await new_run(sessions, workflow)).run.id
    run = await first.engine.execute(run_id)
    assert run.status == RunStatus.waiting and run.resume_at is not None
    await first.close()  # the process stops while the run waits

    second = await Runtime(scheduled).start()
    try:
        for _ in range(100):
            if (await status_of(sessions, run_id)).status == RunStatus.succeeded:
                break
            await asyncio.sleep(0.1)
        done = await status_of(sessions, run_id)
        assert done.status == RunStatus.succeeded
        assert done.finished_at is not None and done.finished_at >= run.resume_at
    finally:
        await second.close()
    async with sessions() as session:
        texts = [m.body for m in (await session.exec(select(OutboxMessage))).all()]
    assert sorted(texts) == ["day 0", "later"]


HOUR_WAIT = {
    "name": "Hour drip",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "pause", "wait": "1 hour"},
        {"id": "again", "action": "slack.post_message", "inputs": POST_LATER},
    ],
}


async def waiting_runs(
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    count: int,
    *,
    due_in: float,
    dry_run: bool = False,
) -> list[str]:
    """`count` runs stopped at their one-hour wait, whose due time is then set `due_in` s away."""
    workflow = await activate(sessions, workspace, HOUR_WAIT, runtime.registry)
    run_ids = []
    for _ in range(count):
        run_id = (await new_run(sessions, workflow, dry_run=dry_run)).run.id
        assert (await runtime.engine.execute(run_id)).status == RunStatus.waiting
        run_ids.append(run_id)
    due = datetime.now(UTC) + timedelta(seconds=due_in)
    async with sessions() as session:
        await session.exec(update(Run).where(col(Run.id).in_(run_ids)).values(resume_at=due))
        await session.commit()
    return run_ids


async def test_the_clock_fires_each_due_wait_once_in_one_batch(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = Runtime(settings)  # no scheduler: the clock below is driven by hand
    try:
        due = await waiting_runs(runtime, sessions, workspace, 30, due_in=-5)
        later = await waiting_runs(runtime, sessions, workspace, 2, due_in=3600)
        dry = await waiting_runs(runtime, sessions, workspace, 1, due_in=-5, dry_run=True)
        continued: list[str] = []
        clock = WaitClock(sessions, continued.append)
        fired = await clock.fire_due()
        assert sorted(fired) == sorted(continued) == sorted(due)
        assert await clock.fire_due() == []  # never twice
        async with sessions() as session:
            runs = {r.id: r for r in (await session.exec(select(Run))).all()}
            steps = (await session.exec(select(StepRun).where(StepRun.step_id == "pause"))).all()
            overs = (await session.exec(select(RunEvent).where(RunEvent.kind == "wait_over"))).all()
        assert {runs[r].status for r in due} == {RunStatus.queued}
        assert {runs[r].status for r in later + dry} == {RunStatus.waiting}
        ended = {s.run_id: s for s in steps if s.status == StepStatus.succeeded}
        assert set(ended) == set(due)
        first = ended[due[0]]
        assert first.output == {"waited_until": runs[due[0]].resume_at.isoformat()}  # type: ignore[union-attr]
        # Five seconds overdue when fired: the timeline says so.
        assert sorted(e.run_id for e in overs) == sorted(due)
        assert {e.step_id for e in overs} == {"pause"}
        assert all(e.message.endswith("s after it was due") for e in overs)

        # The engine continues a fired run from the step after its wait.
        done = await runtime.engine.execute(due[0])
        assert done.status == RunStatus.succeeded
    finally:
        await runtime.close()


async def test_two_clocks_never_fire_one_wait_twice(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = Runtime(settings)
    try:
        due = await waiting_runs(runtime, sessions, workspace, 40, due_in=-1)
        seen_a: list[str] = []
        seen_b: list[str] = []
        a = WaitClock(sessions, seen_a.append, batch=15)
        b = WaitClock(sessions, seen_b.append, batch=15)
        for _ in range(3):
            await asyncio.gather(a.fire_due(), b.fire_due())
        assert not set(seen_a) & set(seen_b)
        assert sorted(seen_a + seen_b) == sorted(due)
    finally:
        await runtime.close()


class FireTimes:
    """A clock's `continue_run` that notes when each run was handed over."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._changed = asyncio.Event()

    def __call__(self, run_id: str) -> None:
        self.at.setdefault(run_id, time.time())
        self._changed.set()

    async def wait_for(self, run_id: str, within: float = 3.0) -> float:
        """When `run_id` was handed over (waiting up to `within` seconds for it)."""
        async with asyncio.timeout(within):
            while run_id not in self.at:
                self._changed.clear()
                await self._changed.wait()
        return self.at[run_id]


async def test_a_new_wait_wakes_the_clock_and_other_nodes_waits_are_polled(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = Runtime(settings)
    fired = FireTimes()
    try:
        # A long poll: only `notify` can make this clock fire a wait due in 0.4 s on time.
        clock = WaitClock(sessions, fired, poll_seconds=60)
        clock.start()
        await asyncio.sleep(0.2)  # asleep, planning to wake in 60 s
        earliest = time.time() + 0.4  # the wait is due 0.4 s after it is written
        (soon,) = await waiting_runs(runtime, sessions, workspace, 1, due_in=0.4)
        at = time.time() + 0.4
        clock.notify(datetime.fromtimestamp(at, UTC))
        fired_at = await fired.wait_for(soon)
        # Not early, and woken by the notice rather than by the 60-s poll. How late a wait fires
        # under load is a speed figure (bench/), not asserted here: a CI run with the browser
        # tests beside it once fired this 2.1 s after it was due.
        assert earliest - 0.01 <= fired_at and fired_at - at < 10
        await clock.stop()

        # Another node's wait (no notify): found by the poll.
        polling = WaitClock(sessions, fired, poll_seconds=0.3)
        polling.start()
        (other,) = await waiting_runs(runtime, sessions, workspace, 1, due_in=0.2)
        await fired.wait_for(other)
        assert polling.running
        await polling.stop()
        assert not polling.running
    finally:
        await runtime.close()


async def test_a_fired_run_whose_process_died_is_continued_by_the_next_start(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    scheduled = make_settings(tmp_path, settings.database_url, LEVQOR_SCHEDULER=True)
    runtime = Runtime(scheduled)
    (run_id,) = await waiting_runs(runtime, sessions, workspace, 1, due_in=-1)
    # Fired and committed, then the process stops before continuing the run.
    assert await WaitClock(sessions, lambda _run_id: None).fire_due() == [run_id]
    await runtime.close()
    assert (await status_of(sessions, run_id)).status == RunStatus.queued

    again = await Runtime(scheduled).start()
    try:
        await again.drain()
        assert (await status_of(sessions, run_id)).status == RunStatus.succeeded
    finally:
        await again.close()
