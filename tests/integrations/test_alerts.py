"""alert.crossed on SQLite and PostgreSQL: crossings, recoveries, hysteresis, races, dry runs."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.alerts import ACTIONS, CrossedOutput
from integrations.base import ActionContext, Risk
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import AlertState, Workflow, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import owner_of
from workflows import service
from workflows.policy import assess
from workflows.spec import WorkflowSpec

CROSSED = ACTIONS[0]


class Checks:
    """Calls alert.crossed for one workflow, each call as a new run's step (or a given one)."""

    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace
    ) -> None:
        self.settings, self.sessions, self.ws = settings, sessions, ws
        self.http = httpx.AsyncClient(trust_env=False)
        self.workflow_id = ""
        self.count = 0

    async def workflow(self) -> Checks:
        async with self.sessions() as session:
            wf = Workflow(workspace_id=self.ws.id, name="Queue depth", webhook_secret="s")
            session.add(wf)
            await session.commit()
        self.workflow_id = wf.id
        return self

    def ctx(self, run: str | None = None, dry_run: bool = False) -> ActionContext:
        self.count += 1
        run_id = run or f"run{self.count}"
        return ActionContext(
            settings=self.settings, sessions=self.sessions, http=self.http,
            workspace_id=self.ws.id, workflow_id=self.workflow_id, run_id=run_id,
            step_id="check", idempotency_key=f"{run_id}:check", dry_run=dry_run,
        )  # fmt: skip

    async def __call__(
        self, value: Any, run: str | None = None, dry_run: bool = False, **inputs: Any
    ) -> CrossedOutput:
        out = await CROSSED.run(
            self.ctx(run, dry_run), {"value": value, "threshold": 100, **inputs}
        )
        assert isinstance(out, CrossedOutput)
        return out

    async def rows(self) -> list[AlertState]:
        async with self.sessions() as session:
            query = select(AlertState).where(AlertState.workflow_id == self.workflow_id)
            return list((await session.exec(query)).all())


@pytest.fixture
async def checks(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> Any:
    made = await Checks(settings, sessions, workspace).workflow()
    yield made
    await made.http.aclose()


async def test_alert_fires_on_the_crossing_not_while_it_stays_over(checks: Checks) -> None:
    seen = [await checks(v) for v in (50, 150, 160, 90, 170, 100)]
    assert [o.crossed for o in seen] == [False, True, False, False, True, False]
    assert [o.recovered for o in seen] == [False, False, False, True, False, False]
    assert [o.over for o in seen] == [False, True, True, False, True, True]
    assert [o.previous for o in seen] == [None, 50, 150, 160, 90, 170]
    assert type(seen[1].value) is int and type(seen[1].previous) is int  # "150", not "150.0"
    assert (await checks(150.5)).value == 150.5
    (row,) = await checks.rows()
    assert (row.key, row.over, row.last_value, row.previous_value) == ("value", True, 150.5, 100)


async def test_first_check_over_the_threshold_is_a_crossing(checks: Checks) -> None:
    first = await checks(150)
    assert (first.crossed, first.over, first.previous) == (True, True, None)


async def test_keys_are_tracked_apart_and_numeric_text_counts(checks: Checks) -> None:
    assert (await checks(150, key="cpu")).crossed
    assert (await checks("180", key="memory")).crossed
    assert not (await checks(190, key="cpu")).crossed
    assert sorted(r.key for r in await checks.rows()) == ["cpu", "memory"]


async def test_rearm_below_needs_the_value_to_drop_further(checks: Checks) -> None:
    seen = [await checks(v, rearm_below=80) for v in (150, 90, 120, 70, 95, 110)]
    assert [o.crossed for o in seen] == [True, False, False, False, False, True]
    assert [o.recovered for o in seen] == [False, False, False, True, False, False]


async def test_direction_below_alerts_when_the_value_drops(checks: Checks) -> None:
    seen = [await checks(v, direction="below", key="stock") for v in (150, 100, 60, 130, 20)]
    assert [o.crossed for o in seen] == [False, True, False, False, True]
    assert [o.recovered for o in seen] == [False, False, False, True, False]


async def test_dry_run_answers_but_changes_nothing(checks: Checks) -> None:
    preview = await checks(150, dry_run=True)
    assert preview.crossed and await checks.rows() == []
    await checks(50)
    (before,) = await checks.rows()
    assert (await checks(150, dry_run=True)).crossed
    (after,) = await checks.rows()
    assert after.model_dump() == before.model_dump()
    assert (await checks(150)).crossed  # the real run still crosses


async def test_a_re_executed_step_gets_its_first_answer(checks: Checks) -> None:
    await checks(50)
    first = await checks(150, run="crash")
    again = await checks(150, run="crash")
    assert first.crossed and again.model_dump() == first.model_dump()
    await checks(160)  # a later run writes the row; the crossing is still the crashed step's
    assert (await checks(150, run="crash")).crossed


@pytest.mark.parametrize("start", [None, 50])
async def test_concurrent_checks_cross_once(checks: Checks, start: int | None) -> None:
    if start is not None:
        await checks(start)
    outs = await asyncio.gather(*(checks(150 + n) for n in range(8)))
    assert sum(o.crossed for o in outs) == 1
    (row,) = await checks.rows()
    winner = next(o for o in outs if o.crossed)
    assert row.over and row.last_value in {o.value for o in outs} and winner.previous == start


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"value": "lots", "threshold": 100}, "value must be a number, got 'lots'"),
        ({"value": None, "threshold": 100}, "value must be a number, got None"),
        ({"value": True, "threshold": 100}, "value must be a number, got True"),
        ({"value": "nan", "threshold": 100}, "value must be a number, got 'nan'"),
        ({"value": 5, "threshold": "x"}, "threshold must be a number"),
        ({"value": 5, "threshold": 100, "rearm_below": 120}, "must not be above threshold"),
        (
            {"value": 5, "threshold": 10, "direction": "below", "rearm_below": 5},
            "must not be under",
        ),
        ({"value": 5, "threshold": 10, "direction": "sideways"}, "direction"),
    ],
)
async def test_bad_input_is_a_clear_error(
    checks: Checks, inputs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        await CROSSED.run(checks.ctx(), inputs)
    assert await checks.rows() == []


def test_declared_risk_is_class_a() -> None:
    assert CROSSED.risk == Risk.read and "alert.crossed" in default_registry()
    spec = WorkflowSpec.model_validate({
        "name": "Queue", "trigger": {"type": "webhook"},
        "steps": [{"id": "check", "action": "alert.crossed",
                   "inputs": {"value": "{{ trigger.value }}", "threshold": 100}}],
    })  # fmt: skip
    assert assess(spec, default_registry()).approval_class == "A"


async def test_deleting_the_workflow_removes_its_alert_state(
    checks: Checks, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await checks(150)
    other = await Checks(checks.settings, sessions, workspace).workflow()
    await other(150)
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        owner = await owner_of(session, workspace)
        await service.delete_workflow(tenant, checks.workflow_id, owner, confirmed=True)
        await session.commit()
    assert await checks.rows() == []
    assert [row.key for row in await other.rows()] == ["value"]  # another workflow's stays
    await other.http.aclose()
