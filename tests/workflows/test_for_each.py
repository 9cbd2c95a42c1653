"""`for_each`: one action per item of a list (a scheduled email to each client, not to nobody)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, Risk
from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, StepRun, StepStatus, Workspace
from tests.workflows.helpers import activate, new_run
from workflows.runtime import Runtime
from workflows.spec import Step

CLIENTS = [
    {"name": "Ann", "email": "ann@example.com"},
    {"name": "Bo", "email": "bo@example.com"},
    {"name": "Cy", "email": "cy@example.com"},
]


class People(ActionInput):
    rows: Any = None


class Listed(ActionOutput):
    rows: Any = None


def spec(rows: Any) -> dict[str, Any]:
    return {
        "name": "Weekly reminders",
        "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
        "steps": [
            {"id": "read_rows", "action": "test.people", "inputs": {"rows": rows}},
            {
                "id": "remind",
                "action": "email.send",
                "for_each": "steps.read_rows.rows",
                "inputs": {
                    "to": "{{ item.email }}",
                    "subject": "Reminder {{ item_index + 1 }}",
                    "text": "Hi {{ item.name }}, your invoice is unpaid.",
                },
            },
        ],
    }


async def people(ctx: ActionContext, inp: People) -> Listed:
    return Listed(rows=inp.rows)


def runtime_with(settings: Settings) -> Runtime:
    """The real runtime (email through the outbox), with a step that gives the list it is given."""
    runtime = Runtime(settings)
    if "test.people" not in runtime.registry:
        runtime.registry.register(
            Action("test.people", "a list of people", Risk.internal, People, Listed, people)
        )
    return runtime


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    """The emails the step sent (not the failure alerts to Slack or to the owner)."""
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.channel == "email")
        rows = [m for m in (await session.exec(query)).all() if m.target != "owner@example.com"]
    return sorted(rows, key=lambda m: m.target)


async def step_row(sessions: async_sessionmaker[AsyncSession], run_id: str) -> StepRun:
    async with sessions() as session:
        query = select(StepRun).where(StepRun.run_id == run_id, StepRun.step_id == "remind")
        return (await session.exec(query)).one()


async def run_once(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    rows: Any,
) -> tuple[Runtime, Run]:
    runtime = runtime_with(settings)
    wf = await activate(sessions, workspace, spec(rows), runtime.registry)
    run = await runtime.engine.execute((await new_run(sessions, wf)).run.id)
    return runtime, run


async def test_each_record_gets_its_own_email_once(
    backend: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    runtime, run = await run_once(settings, sessions, workspace, CLIENTS)
    try:
        assert run.status == RunStatus.succeeded
        sent = await outbox(sessions)
        assert [m.target for m in sent] == [c["email"] for c in CLIENTS]
        assert [m.subject for m in sent] == ["Reminder 1", "Reminder 2", "Reminder 3"]
        assert "Hi Bo," in sent[1].body
        row = await step_row(sessions, run.id)
        assert row.output is not None and row.output["count"] == 3
        assert len(row.output["items"]) == 3
        assert row.inputs["to"] == "ann@example.com"
        assert row.inputs["for_each"] == "steps.read_rows.rows"
        assert row.inputs["count"] == 3
        # A crash after the emails went, before the step's outcome was written: the run is
        # executed again and the step resumed; the per-item keys keep it from sending twice.
        async with sessions() as session:
            stored_row = await session.get(StepRun, row.id)
            stored_run = await session.get(Run, run.id)
            assert stored_row is not None and stored_run is not None
            stored_row.status, stored_row.output = StepStatus.running, None
            stored_run.status, stored_run.finished_at = RunStatus.running, None
            await session.commit()
        again = await runtime.engine.execute(run.id)
        assert again.status == RunStatus.succeeded
        assert [m.target for m in await outbox(sessions)] == [c["email"] for c in CLIENTS]
        assert (await step_row(sessions, run.id)).status == StepStatus.succeeded
    finally:
        await runtime.close()


async def test_no_items_succeeds_with_nothing_sent(
    backend: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    runtime, run = await run_once(settings, sessions, workspace, [])
    try:
        assert run.status == RunStatus.succeeded
        assert await outbox(sessions) == []
        row = await step_row(sessions, run.id)
        assert row.output == {"items": [], "count": 0}
    finally:
        await runtime.close()


async def test_a_list_that_is_not_a_list_fails_in_words(
    backend: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    runtime, run = await run_once(settings, sessions, workspace, {"name": "Ann"})
    try:
        assert run.status == RunStatus.failed
        assert await outbox(sessions) == []
        row = await step_row(sessions, run.id)
        assert row.status == StepStatus.failed
        assert row.error == "for_each gave a single record, not a list of items to repeat over"
    finally:
        await runtime.close()


async def test_too_many_items_fail_in_words(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    many = [{"name": "x", "email": f"p{i}@example.com"} for i in range(501)]
    runtime, run = await run_once(settings, sessions, workspace, many)
    try:
        assert run.status == RunStatus.failed
        assert await outbox(sessions) == []
        assert "at most 500" in ((await step_row(sessions, run.id)).error or "")
    finally:
        await runtime.close()


def test_a_wait_cannot_repeat_for_each_item() -> None:
    with pytest.raises(ValidationError, match="a wait cannot repeat"):
        Step.model_validate({"id": "pause", "wait": "2 days", "for_each": "steps.a.rows"})


def test_a_bad_for_each_expression_is_refused() -> None:
    with pytest.raises(ValidationError, match="for_each"):
        Step.model_validate({"id": "mail", "action": "email.send", "for_each": "steps.a.rows +"})
    step = Step.model_validate({"id": "mail", "action": "email.send", "for_each": "steps.a.rows"})
    assert step.for_each == "steps.a.rows"


async def test_a_dry_run_sends_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = runtime_with(settings)
    try:
        wf = await activate(sessions, workspace, spec(CLIENTS), runtime.registry)
        run = await runtime.engine.execute((await new_run(sessions, wf, dry_run=True)).run.id)
        assert run.status == RunStatus.succeeded
        assert await outbox(sessions) == []
        row = await step_row(sessions, run.id)
        assert row.output is not None and row.output["count"] == 3
    finally:
        await runtime.close()
