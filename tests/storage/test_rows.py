"""`row_of` builds the row `Model(**values)` would, and it writes and changes like one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Credential, Run, StepRun, Workspace
from storage.rows import row_of

VALUES: dict[str, Any] = {"workspace_id": "w1", "run_id": "r1", "step_id": "s", "position": 0,
          "action": "crm.upsert_contact", "idempotency_key": "r1:s"}  # fmt: skip


def _columns(row: StepRun) -> dict[str, object]:
    return {c.name: getattr(row, c.name) for c in StepRun.__table__.columns}  # type: ignore[attr-defined]


def test_the_same_columns_and_defaults_as_the_constructor() -> None:
    built, made = row_of(StepRun, VALUES), StepRun(**VALUES)
    ours, theirs = _columns(built), _columns(made)
    assert ours.pop("id") != theirs.pop("id")  # each its own default factory's value
    assert abs((ours.pop("started_at") - theirs.pop("started_at")).total_seconds()) < 1  # type: ignore[operator]
    assert ours == theirs
    assert built.model_fields_set == made.model_fields_set == set(VALUES)
    assert built.inputs == {} and built.inputs is not row_of(StepRun, VALUES).inputs
    assert inspect(built).transient


def test_a_change_is_tracked_like_any_row() -> None:
    row = row_of(StepRun, VALUES)
    row.attempts = 2
    assert row.attempts == 2 and inspect(row).attrs.attempts.history.added == [2]


async def test_it_is_stored_and_read_back(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    row = row_of(Credential, {"workspace_id": workspace.id, "integration": "http", "name": "n",
                              "ciphertext": "c"})  # fmt: skip
    async with sessions() as session:
        session.add(row)
        await session.commit()
    async with sessions() as session:
        stored = await session.get(Credential, row.id)
    assert stored is not None and (stored.name, stored.ciphertext) == ("n", "c")
    assert stored.created_at == row.created_at


def test_a_run_has_its_defaults() -> None:
    run = row_of(Run, {"workspace_id": "w", "workflow_id": "wf", "version_id": "v",
                       "trigger_type": "manual"})  # fmt: skip
    made = Run(workspace_id="w", workflow_id="wf", version_id="v", trigger_type="manual")
    assert (run.status, run.recoveries, run.trigger_payload) == (
        made.status, made.recoveries, made.trigger_payload)  # fmt: skip
