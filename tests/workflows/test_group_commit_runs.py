"""Runs executed together share commits (group commit) and lose nothing: every run, step and
event is written once, each action sees its run committed as running, and a delivery repeated
with the same idempotency key still finds the first run (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, Risk
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import activate
from workflows.runs import start_run
from workflows.runtime import Runtime

RUNS = 30


class Peek(ActionInput):
    n: int = 0


class Seen(ActionOutput):
    status: str
    n: int


async def peek(ctx: ActionContext, inp: Peek) -> Seen:
    """What another connection sees of the run while the step runs."""
    async with ctx.sessions() as session:
        run = await session.get(Run, ctx.run_id)
    assert run is not None
    return Seen(status=run.status.value, n=inp.n)


SPEC = {
    "name": "Together",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "first", "action": "test.peek", "inputs": {"n": "{{ trigger.n }}"}},
        {"id": "never", "action": "test.peek", "when": "trigger.n < 0"},
        {"id": "last", "action": "test.peek", "inputs": {"n": "{{ steps.first.n }}"}},
    ],
}


async def test_runs_executed_together_share_commits_and_each_is_written_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = ActionRegistry([Action("test.peek", "peek", Risk.read, Peek, Seen, peek)])
    runtime = Runtime(settings, registry)
    assert runtime.writer is not None  # on by default
    workflow = await activate(sessions, workspace, SPEC, registry)

    async def deliver(n: int) -> str:
        async with runtime.sessions() as session:
            started = await start_run(
                Tenant(session, workspace.id), workflow, trigger_type="manual",
                payload={"n": n}, idempotency_key=f"delivery-{n}",
            )  # fmt: skip
        assert started.created
        async with sessions() as other:  # committed before start_run returned
            assert await other.get(Run, started.run.id) is not None
        return started.run.id

    try:
        run_ids = await asyncio.gather(*(deliver(n) for n in range(RUNS)))
        # the deliveries' runs start in the same turn of the loop, so they execute together
        # whatever the machine's timing (one by one, no write would have a partner)
        for run_id in run_ids:
            runtime.submit(run_id)
        await runtime.drain()
        async with runtime.sessions() as session:  # the same delivery again: the first run
            again = await start_run(
                Tenant(session, workspace.id), workflow, trigger_type="manual",
                payload={"n": 3}, idempotency_key="delivery-3",
            )  # fmt: skip
        writer = runtime.writer
        transactions, writes = writer.transactions, writer.writes
    finally:
        await runtime.close()

    assert not again.created and again.run.id == run_ids[3]
    # Each run: its creation, its claim (before the first action), the first step's outcome with
    # the skip (both before the next action) and the last step's outcome with the run's end: 4.
    assert writes == RUNS * 4
    assert transactions < writes  # written together, not one commit each
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all()
        steps = (await session.exec(select(StepRun).where(col(StepRun.run_id).in_(run_ids)))).all()
        skipped = await session.exec(
            select(func.count()).where(col(RunEvent.kind) == "step_skipped")
        )
        skip_events = skipped.one()
    assert len(runs) == RUNS and {r.status for r in runs} == {RunStatus.succeeded}
    assert all(r.lease_owner is None and r.finished_at is not None for r in runs)
    by_run: dict[str, dict[str, StepRun]] = {}
    for step in steps:
        by_run.setdefault(step.run_id, {})[step.step_id] = step
    assert len(steps) == RUNS * 3 and skip_events == RUNS
    for n, run_id in enumerate(run_ids):
        first, never, last = (by_run[run_id][s] for s in ("first", "never", "last"))
        # Each action saw its run committed as running (the claim was written before it began).
        assert first.output == {"status": "running", "n": n}
        assert last.output == {"status": "running", "n": n}
        assert never.status.value == "skipped" and never.output is None
