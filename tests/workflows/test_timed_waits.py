"""Waits that end a set time before a moment the run's data names (appointment reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, StepRun, StepStatus, Workspace
from tests.conftest import make_settings
from tests.workflows.helpers import activate, new_run
from workflows.describe import summary
from workflows.runtime import Runtime
from workflows.spec import WorkflowSpec
from workflows.timed_waits import as_datetime, due_at

REMINDER: dict[str, Any] = {
    "name": "Appointment reminders",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "day_before", "wait": "24 hours before {{ trigger.start_time }}"},
        {"id": "remind", "action": "slack.post_message",
         "inputs": {"channel": "#front-desk", "text": "{{ trigger.name }} is booked tomorrow"}},
    ],
}  # fmt: skip


async def _run(
    tmp_path: Path,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    payload: dict[str, Any],
) -> tuple[Run, list[StepRun], list[str]]:
    runtime = await Runtime(make_settings(tmp_path, settings.database_url)).start()
    try:
        workflow = await activate(sessions, workspace, REMINDER, runtime.registry)
        run_id = (await new_run(sessions, workflow, payload=payload)).run.id
        run = await runtime.engine.execute(run_id)
    finally:
        await runtime.close()
    async with sessions() as session:
        steps = list((await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all())
        sent = [m.body for m in (await session.exec(select(OutboxMessage))).all()]
    return run, steps, sent


async def test_a_booking_days_ahead_waits_until_a_day_before_it(
    tmp_path: Path,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    payload = {"name": "Ada", "start_time": start.isoformat()}
    run, _steps, sent = await _run(tmp_path, settings, sessions, workspace, payload)
    assert run.status == RunStatus.waiting
    assert run.resume_at is not None
    resume = run.resume_at if run.resume_at.tzinfo else run.resume_at.replace(tzinfo=UTC)
    assert resume == start - timedelta(hours=24)
    assert sent == []  # nothing leaves before its time


async def test_a_booking_closer_than_the_lead_is_reminded_at_once(
    tmp_path: Path,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    start = datetime.now(UTC) + timedelta(hours=3)
    payload = {"name": "Grace", "start_time": start.isoformat()}
    run, steps, sent = await _run(tmp_path, settings, sessions, workspace, payload)
    assert run.status == RunStatus.succeeded
    assert sent == ["Grace is booked tomorrow"]
    wait = next(s for s in steps if s.step_id == "day_before")
    assert wait.status == StepStatus.succeeded
    assert wait.output is not None and wait.output["already_due"] is True


async def test_a_booking_without_a_start_time_fails_in_words(
    tmp_path: Path,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    run, steps, sent = await _run(tmp_path, settings, sessions, workspace, {"name": "Lin"})
    assert run.status == RunStatus.failed
    wait = next(s for s in steps if s.step_id == "day_before")
    assert wait.status == StepStatus.failed
    assert wait.error == "there is no time to wait for: trigger.start_time is missing from the data"
    # The owner hears of it; the reminder itself never goes out.
    assert sent and all("is missing from the data" in body for body in sent)
    assert not any("is booked tomorrow" in body for body in sent)


@pytest.mark.parametrize(
    ("wait", "problem"),
    [
        ("soonish before {{ trigger.start_time }}", "duration"),
        ("2 hours before {{ trigger.start_time ", "duration"),
        ("400 days before {{ trigger.start_time }}", "366 days"),
    ],
)
def test_a_timed_wait_that_cannot_be_read_is_refused_at_save(wait: str, problem: str) -> None:
    spec = {**REMINDER, "steps": [{"id": "w", "wait": wait}, REMINDER["steps"][1]]}
    with pytest.raises(ValueError, match=problem):
        WorkflowSpec.model_validate(spec)


def test_due_times_from_iso_strings_dates_and_epoch_seconds() -> None:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    wait = "2 hours before {{ trigger.start_time }}"
    iso = {"trigger": {"start_time": "2026-03-10T15:00:00Z"}}
    assert due_at(wait, started, iso) == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    epoch = {"trigger": {"start_time": 1773154800}}  # 2026-03-10 15:00 UTC
    assert due_at(wait, started, epoch) == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert due_at("until {{ trigger.start_time }}", started, iso) == datetime(
        2026, 3, 10, 15, 0, tzinfo=UTC
    )
    assert due_at("2 days", started, iso) == datetime(2026, 1, 3, tzinfo=UTC)
    assert as_datetime("next tuesday") is None and as_datetime(True) is None
    with pytest.raises(ValueError, match="'next tuesday', which is not a date and time"):
        due_at(wait, started, {"trigger": {"start_time": "next tuesday"}})


def test_the_summary_says_the_wait_in_words() -> None:
    said = summary(REMINDER)
    assert "wait until 1 day before" in said and "start time" in said
    assert "{{" not in said
