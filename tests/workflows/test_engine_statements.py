"""What a drip resume costs the database, and what it still guarantees at that price.

10,000 drip runs resuming within a minute (bench/drip_waits.py) are bound by the work per run, so
the statements and commits one resume issues are pinned here: a change that adds a round trip
shows up as a failing count, not as a slower benchmark weeks later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, Risk
from integrations.catalog import default_registry
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, StepRun, StepStatus, Workspace
from storage.types import utcnow
from tests.workflows.helpers import activate, new_run
from workflows.engine import Engine
from workflows.live import LiveEvent

WAIT = {"id": "wait_2d", "wait": "2 days"}
DRIP = {
    "name": "Drip",
    "trigger": {"type": "manual"},
    "steps": [
        WAIT,
        {
            "id": "nudge",
            "action": "email.send",
            "inputs": {
                "to": "{{ trigger.email }}",
                "drip": True,
                "subject": "Getting started",
                "text": "Hi {{ trigger.name }}, here is how to get started.",
            },
        },
    ],
}
# Load the run with its workflow, workspace and steps (1); claim its execution lease, which is also
# what marks it running (1: one conditional UPDATE, workflows.leases); end the wait (2: wait step,
# event); the drip send (unsubscribes, ledger row: 2); the step's and the run's outcome, which also
# releases the lease (2). The lease costs no statement of its own: the claim replaced the UPDATE
# that marked the run running. Since per-workspace connections, the send also reads which mail
# server the workspace uses (1): its own verified SMTP, or the instance's.
MAX_STATEMENTS = 9
COMMITS = 3  # the wait's end, the outbox ledger row, the step's and the run's outcome


@dataclass
class Tally:
    """SQL statements and commits seen on an engine while counting."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Tally]:
    """Count every statement and commit the engine's connections issue inside the block."""
    tally = Tally()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        tally.statements.append(statement.split(None, 1)[0].upper())

    def on_commit(_conn: Any) -> None:
        tally.commits += 1

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield tally
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
        event.remove(engine.sync_engine, "commit", on_commit)


async def waiting_drip(
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    engine: Engine,
    payload: dict[str, Any],
) -> str:
    """A drip run that reached its wait step, with the wait made due (as two days later)."""
    workflow = await activate(sessions, workspace, DRIP, engine.registry)
    run_id = (await new_run(sessions, workflow, payload)).run.id
    assert (await engine.execute(run_id)).status == RunStatus.waiting
    await make_due(sessions, run_id)
    return run_id


async def make_due(sessions: async_sessionmaker[AsyncSession], run_id: str) -> None:
    """Move the run's wait back in time so that it is over now."""
    async with sessions() as session:
        wait = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).one()
        run = await session.get(Run, run_id)
        assert run is not None
        wait.started_at = utcnow() - timedelta(days=3)
        run.resume_at = utcnow()
        await session.commit()


async def test_a_drip_resume_takes_three_commits_and_sends_once(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    published: list[LiveEvent] = []
    async with httpx.AsyncClient() as http:
        runner = Engine(settings, sessions, default_registry(), http, on_event=published.append)
        run_id = await waiting_drip(
            sessions, workspace, runner, {"email": "ada@example.com", "name": "Ada"}
        )
        published.clear()
        with counting(engine) as resume:
            done = await runner.execute(run_id)
        with counting(engine) as again:
            repeat = await runner.execute(run_id)

    assert done.status == RunStatus.succeeded and repeat.status == RunStatus.succeeded
    assert resume.commits == COMMITS, resume.statements
    assert len(resume.statements) <= MAX_STATEMENTS, resume.statements
    assert [e.kind for e in published] == [
        "run.started",
        "step.started",
        "step.finished",
        "run.succeeded",
    ]
    # Resuming a finished run reads it and changes nothing.
    assert again.commits == 0 and again.statements == ["SELECT"]
    async with sessions() as session:
        sent = (await session.exec(select(OutboxMessage))).all()
        steps = {
            s.step_id: s
            for s in (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all()
        }
    assert [(m.target, m.idempotency_key) for m in sent] == [
        ("ada@example.com", f"{run_id}:nudge:ada@example.com")
    ]
    assert "Hi Ada" in sent[0].body
    assert steps["wait_2d"].status == StepStatus.succeeded
    assert steps["nudge"].status == StepStatus.succeeded and steps["nudge"].attempts == 1


class Peek(ActionInput):
    """No inputs."""


class Seen(ActionOutput):
    """What the database said while the action ran."""

    run: str
    wait: str


async def test_the_run_is_stored_running_before_its_action_starts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    async def peek(ctx: ActionContext, _inp: Peek) -> Seen:
        async with ctx.sessions() as session:
            run = await session.get(Run, ctx.run_id)
            query = select(StepRun).where(StepRun.run_id == ctx.run_id)
            wait = (await session.exec(query)).one()
        assert run is not None
        return Seen(run=run.status.value, wait=wait.status.value)

    peeking = Action("test.peek", "what the database says", Risk.read, Peek, Seen, peek)
    registry = ActionRegistry([peeking])
    spec = {**DRIP, "steps": [WAIT, {"id": "nudge", "action": "test.peek"}]}
    async with httpx.AsyncClient() as http:
        runner = Engine(settings, sessions, registry, http)
        workflow = await activate(sessions, workspace, spec, registry)
        run_id = (await new_run(sessions, workflow)).run.id
        assert (await runner.execute(run_id)).status == RunStatus.waiting
        await make_due(sessions, run_id)
        done = await runner.execute(run_id)

    assert done.status == RunStatus.succeeded
    async with sessions() as session:
        query = select(StepRun).where(StepRun.run_id == run_id, StepRun.step_id == "nudge")
        nudge = (await session.exec(query)).one()
    # The action saw the run running and the wait over: both were committed before it began.
    assert nudge.output == {"run": "running", "wait": "succeeded"}
