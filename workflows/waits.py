"""`WaitClock`: ends due wait steps in batches and hands their runs back to the engine.

A waiting run is its own timer: `run.status = waiting` and `run.resume_at` (indexed) are written in
the same commit as the wait step, so the run table is the one persisted list of pending waits and
nothing else must be kept in step with it. The clock sleeps until the soonest `resume_at` it knows
of (the engine tells it about new waits in this process; a poll every `poll_seconds` finds those
written by other nodes), then fires every due wait in one transaction per batch:

    UPDATE run SET status = 'queued' WHERE id IN (due waiting runs, FOR UPDATE SKIP LOCKED)
    UPDATE step_run SET status = 'succeeded', output = {"waited_until": ...}   (one executemany)
    INSERT run_event "wait_over"                                                (one statement)

then continues each run through `continue_run`. Ten thousand waits due together end within one
or two commits of their due time, however long their next steps then take; a queued run whose
process dies is picked up by the next start's `Runtime.recover`. Two clocks (two scheduler nodes
on PostgreSQL) never fire one wait twice: the claim is one conditional UPDATE with SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Run, RunEvent, RunStatus, StepRun, StepStatus
from storage.types import utcnow
from workflows.queue import enqueue_runs

log = logging.getLogger(__name__)

RECHECK_SECONDS = 0.05
ContinueRun = Callable[[str], object]  # hands a run back to the engine (not awaited)

_END_WAIT = (
    update(StepRun)
    .where(col(StepRun.id) == bindparam("b_id"))
    .values(status=StepStatus.succeeded, finished_at=bindparam("b_at"), output=bindparam("b_out"))
)


class WaitClock:
    """One per scheduler process: `start()`, `notify(at)` on every new wait, `stop()`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        continue_run: ContinueRun,
        *,
        poll_seconds: float = 1.0,
        batch: int = 1000,
        gather_seconds: float = 0.0,
    ) -> None:
        """`gather_seconds`: at least this long between two fires (unless a full batch was due),
        so that waits falling due one after another are ended together, in one transaction."""
        self._sessions = sessions
        self._continue = continue_run
        self._poll = poll_seconds
        self._batch = batch
        self._gather = gather_seconds
        self._fired_at = 0.0  # the event loop's time of the last fire
        self._wake = asyncio.Event()
        self._planned: datetime | None = None  # while sleeping: when the loop will wake
        self._noted: datetime | None = None  # while working: the soonest wait notified since
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the clock's loop is alive."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop on the running event loop; waits already due fire straight away."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="levqor-wait-clock")

    async def stop(self) -> None:
        """Stop firing. Runs already handed to `continue_run` are the caller's to drain."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def notify(self, at: datetime) -> None:
        """A run now waits until `at` (committed): wake the loop if it planned to sleep past it."""
        if self._planned is None:  # busy firing: folded into the next plan
            self._noted = at if self._noted is None else min(self._noted, at)
        elif at < self._planned:
            self._planned = at
            self._wake.set()

    async def fire_due(self, now: datetime | None = None) -> list[str]:
        """End up to one batch of waits due by `now`, commit, and continue their runs."""
        now = now or utcnow()
        async with self._sessions() as session:
            claimed = await _claim(session, now, self._batch)
            if claimed:
                await _end_waits(session, claimed, now)
                # With a run queue, their jobs are written in the same transaction.
                await enqueue_runs(session, [due.run_id for due in claimed])
            await session.commit()
        for due in claimed:
            self._continue(due.run_id)
        return [due.run_id for due in claimed]

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        full = False  # the last fire took a full batch: more are due at once
        while True:
            gap = self._fired_at + self._gather - loop.time()
            if gap > 0 and not full:
                await asyncio.sleep(gap)
            self._wake.clear()
            self._planned, self._noted = None, None
            self._fired_at = loop.time()
            try:
                fired = await self.fire_due()
            except Exception:
                log.exception("could not fire due waits; trying again in %.1f s", self._poll)
                fired = []
            full = len(fired) >= self._batch
            if full:
                continue  # more are due: no sleep between batches
            soonest = await self._next_due()
            if self._noted is not None and (soonest is None or self._noted < soonest):
                soonest = self._noted
            now = utcnow()
            poll = now + timedelta(seconds=self._poll)
            if soonest is None:
                self._planned = poll
            elif soonest <= now and not fired:
                # Due but not fired: another clock is claiming it. Look again shortly.
                self._planned = now + timedelta(seconds=RECHECK_SECONDS)
            else:
                self._planned = max(now, min(soonest, poll))
            with contextlib.suppress(TimeoutError):
                delay = (self._planned - now).total_seconds()
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _next_due(self) -> datetime | None:
        try:
            async with self._sessions() as session:
                query = select(func.min(Run.resume_at)).where(
                    col(Run.status) == RunStatus.waiting,
                    col(Run.dry_run) == False,  # noqa: E712
                )
                soonest: datetime | None = (await session.exec(query)).one()
        except Exception:
            log.exception("could not read the next due wait")
            return None
        return soonest


@dataclass(frozen=True)
class _Due:
    run_id: str
    workspace_id: str
    due: datetime


async def _claim(session: AsyncSession, now: datetime, limit: int) -> list[_Due]:
    """Mark up to `limit` due waiting runs queued; return them, soonest first."""
    due = (
        select(Run.id)
        .where(
            col(Run.status) == RunStatus.waiting,
            col(Run.resume_at) <= now,
            col(Run.dry_run) == False,  # noqa: E712 - a dry run is never resumed by the clock
        )
        .order_by(col(Run.resume_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(Run)
        .where(col(Run.id).in_(due.scalar_subquery()), col(Run.status) == RunStatus.waiting)
        .values(status=RunStatus.queued)
        .returning(col(Run.id), col(Run.workspace_id), col(Run.resume_at))
        .execution_options(synchronize_session=False)
    )
    connection = await session.connection()
    rows = (await connection.execute(claim)).all()
    # resume_at is never NULL here (`<= now` above); `now` only satisfies the type checker.
    return sorted((_Due(r[0], r[1], r[2] or now) for r in rows), key=lambda d: d.due)


async def _end_waits(session: AsyncSession, claimed: list[_Due], now: datetime) -> None:
    """Mark each claimed run's waiting step succeeded and note `wait_over` in its timeline."""
    by_run = {d.run_id: d for d in claimed}
    connection = await session.connection()
    steps = (
        await connection.execute(
            select(StepRun.id, StepRun.run_id, StepRun.step_id).where(
                col(StepRun.run_id).in_(list(by_run)), col(StepRun.status) == StepStatus.waiting
            )
        )
    ).all()
    if not steps:
        return
    ended = [
        {"b_id": row_id, "b_at": now, "b_out": {"waited_until": by_run[run_id].due.isoformat()}}
        for row_id, run_id, _ in steps
    ]
    await connection.execute(_END_WAIT, ended)
    events = []
    for _, run_id, step_id in steps:
        late = (now - by_run[run_id].due) / timedelta(seconds=1)
        events.append({
            "workspace_id": by_run[run_id].workspace_id, "run_id": run_id, "step_id": step_id,
            "kind": "wait_over", "message": f"{late:.1f} s after it was due" if late >= 1 else "",
            "at": now,
        })  # fmt: skip
    await connection.execute(insert(RunEvent), events)
