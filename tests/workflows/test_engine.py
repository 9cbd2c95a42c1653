"""The engine: ordered steps, conditions, retries, timeouts, idempotency, waits, failures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, StepStatus, Workspace
from storage.types import utcnow
from tests.workflows.helpers import Recorder, activate, new_run
from workflows.engine import Engine


def note(step_id: str, text: str, **inputs: Any) -> dict[str, Any]:
    return {"id": step_id, "action": "test.note", "inputs": {"text": text, **inputs}}


def flow(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Test flow", "trigger": {"type": "manual"}, "steps": list(steps)}


@pytest.fixture
async def engine_parts(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Any:
    recorder = Recorder()
    registry = recorder.registry()
    async with httpx.AsyncClient() as http:
        waits: list[tuple[str, Any]] = []
        failures: list[str] = []

        async def on_wait(run_id: str, at: Any) -> None:
            waits.append((run_id, at))

        async def on_failure(run: Run, message: str, previous: Any) -> None:
            failures.append(message)

        engine = Engine(settings, sessions, registry, http, on_wait=on_wait, on_failure=on_failure)
        yield engine, recorder, registry, waits, failures


async def steps_of(sessions: async_sessionmaker[AsyncSession], run_id: str) -> list[StepRun]:
    async with sessions() as session:
        rows = await session.exec(select(StepRun).where(StepRun.run_id == run_id))
        return sorted(rows.all(), key=lambda r: r.position)


async def test_steps_run_in_order_with_outputs_flowing(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, _ = engine_parts
    wf = await activate(
        sessions,
        workspace,
        flow(note("first", "hello {{ trigger.name }}"), note("second", "{{ steps.first.text }}!")),
        registry,
    )
    started = await new_run(sessions, wf, {"name": "Ann"})
    run = await engine.execute(started.run.id)
    assert run.status == RunStatus.succeeded
    assert recorder.texts == ["hello Ann", "hello Ann!"]
    rows = await steps_of(sessions, run.id)
    assert [(r.step_id, r.status, r.attempts) for r in rows] == [
        ("first", StepStatus.succeeded, 1),
        ("second", StepStatus.succeeded, 1),
    ]
    assert rows[1].inputs == {"text": "hello Ann!"}
    assert rows[0].idempotency_key == f"{run.id}:first"


async def test_when_condition_skips_a_step(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, _ = engine_parts
    big = note("big", "big deal")
    big["when"] = "trigger.amount > 1000"
    wf = await activate(sessions, workspace, flow(note("always", "seen"), big), registry)
    small = await engine.execute((await new_run(sessions, wf, {"amount": 50})).run.id)
    large = await engine.execute((await new_run(sessions, wf, {"amount": 5000})).run.id)
    assert small.status == large.status == RunStatus.succeeded
    assert recorder.texts == ["seen", "seen", "big deal"]
    assert [r.status for r in await steps_of(sessions, small.id)][1] == StepStatus.skipped


async def test_transient_failures_are_retried_with_events(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, _, registry, _, _ = engine_parts
    wf = await activate(sessions, workspace, flow(note("flaky", "ok", fail_times=2)), registry)
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.succeeded
    (row,) = await steps_of(sessions, run.id)
    assert row.attempts == 3
    async with sessions() as session:
        kinds = [
            e.kind
            for e in (await session.exec(select(RunEvent).where(RunEvent.run_id == run.id))).all()
        ]
    assert kinds.count("step_retry") == 2


async def test_retry_after_is_honoured(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, _, registry, _, _ = engine_parts
    wf = await activate(
        sessions, workspace, flow(note("limited", "ok", fail_times=1, retry_after=0.6)), registry
    )
    started = utcnow()
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.succeeded
    assert utcnow() - started >= timedelta(seconds=0.6)


async def test_exhausted_retries_fail_the_run_and_alert(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, failures = engine_parts
    step = note("down", "never", fail_times=99)
    step["retry"] = {"max_attempts": 2}
    wf = await activate(sessions, workspace, flow(step, note("after", "unreached")), registry)
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.failed
    assert run.error and "step down (test.note) failed: temporarily down" in run.error
    assert failures == [run.error]
    assert "unreached" not in recorder.texts


async def test_permanent_errors_are_not_retried(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, _ = engine_parts
    wf = await activate(
        sessions,
        workspace,
        flow({"id": "bad", "action": "test.broken", "inputs": {"text": "no"}}),
        registry,
    )
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.failed
    assert sum(recorder.calls.values()) == 1
    (row,) = await steps_of(sessions, run.id)
    assert row.error == "refused: no"


async def test_step_timeout(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, _, registry, _, _ = engine_parts
    step = note("slow", "zzz", sleep=5)
    step["timeout_seconds"] = 0.2
    step["retry"] = {"max_attempts": 1}
    wf = await activate(sessions, workspace, flow(step), registry)
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.failed
    assert run.error and "timed out" in run.error


async def test_reexecuting_a_run_never_repeats_completed_steps(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, _ = engine_parts
    wf = await activate(sessions, workspace, flow(note("one", "1"), note("two", "2")), registry)
    started = await new_run(sessions, wf)
    await engine.execute(started.run.id)
    async with sessions() as session:  # pretend the process died before marking the run done
        run = await session.get(Run, started.run.id)
        assert run is not None
        run.status = RunStatus.running
        await session.commit()
    await engine.execute(started.run.id)
    assert recorder.texts == ["1", "2"]


async def test_wait_step_persists_and_resumes(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, waits, _ = engine_parts
    wf = await activate(
        sessions,
        workspace,
        flow(note("welcome", "day 0"), {"id": "later", "wait": "2 days"}, note("nudge", "day 2")),
        registry,
    )
    started = await new_run(sessions, wf)
    run = await engine.execute(started.run.id)
    assert run.status == RunStatus.waiting and recorder.texts == ["day 0"]
    assert waits and waits[0][0] == run.id
    assert run.resume_at and run.resume_at - utcnow() > timedelta(days=1, hours=23)
    assert (await engine.execute(run.id)).status == RunStatus.waiting  # too early: nothing happens
    async with sessions() as session:  # two days pass
        wait_row = (
            await session.exec(
                select(StepRun).where(StepRun.run_id == run.id, StepRun.step_id == "later")
            )
        ).one()
        wait_row.started_at = utcnow() - timedelta(days=2, seconds=1)
        stored = await session.get(Run, run.id)
        assert stored is not None
        stored.resume_at = utcnow()
        await session.commit()
    resumed = await engine.execute(run.id)
    assert resumed.status == RunStatus.succeeded
    assert recorder.texts == ["day 0", "day 2"]


async def test_dry_run_is_recorded_as_such(
    engine_parts: Any,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    engine, _, registry, _, failures = engine_parts
    wf = await activate(sessions, workspace, flow(note("one", "1")), registry)
    run = await engine.execute((await new_run(sessions, wf, dry_run=True)).run.id)
    assert run.dry_run and run.status == RunStatus.succeeded and not failures


async def test_a_step_that_may_fail_lets_later_steps_handle_the_failure(
    engine_parts: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    engine, recorder, registry, _, failures = engine_parts
    check = {"id": "check", "action": "test.broken", "inputs": {"text": "site"},
             "continue_on_error": True, "retry": {"max_attempts": 1}}  # fmt: skip
    alert = note("alert", "down: {{ steps.check.error }}")
    alert["when"] = "steps.check.failed"
    fine = note("fine", "up")
    fine["when"] = "not steps.check.failed"
    wf = await activate(sessions, workspace, flow(check, alert, fine), registry)
    run = await engine.execute((await new_run(sessions, wf)).run.id)
    assert run.status == RunStatus.succeeded
    assert recorder.texts == ["down: refused: site"]
    assert failures == []  # handled: no failure alert
    rows = await steps_of(sessions, run.id)
    assert [(r.step_id, r.status) for r in rows] == [
        ("check", StepStatus.failed),
        ("alert", StepStatus.succeeded),
        ("fine", StepStatus.skipped),
    ]
    assert rows[0].output == {"failed": True, "error": "refused: site"}
    again = await engine.execute(run.id)  # a finished run is not re-run
    assert again.status == RunStatus.succeeded and recorder.calls[f"{run.id}:check"] == 1


def test_only_action_steps_may_continue_on_error() -> None:
    from pydantic import ValidationError

    from workflows.spec import WorkflowSpec

    with pytest.raises(ValidationError, match="cannot continue on error"):
        WorkflowSpec.model_validate(
            flow({"id": "pause", "wait": "1 day", "continue_on_error": True}, note("n", "x"))
        )
