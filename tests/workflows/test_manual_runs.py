"""Run now and Retry, as every front calls them: who may, what is audited, keyed once."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog, Member, Role, Run, RunStatus, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import Recorder, activate
from workflows.errors import Conflict, Forbidden
from workflows.runs import retry_failed, run_manually

SPEC = {
    "name": "Note",
    "trigger": {"type": "manual"},
    "steps": [{"id": "n", "action": "test.note", "inputs": {"text": "hi"}}],
}


async def member(session: AsyncSession, workspace: Workspace, role: Role) -> Member:
    query = select(Member).where(Member.workspace_id == workspace.id, Member.role == role)
    return (await session.exec(query)).one()


async def test_run_now_is_for_operators_audited_once_per_key(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, SPEC, Recorder().registry())
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        viewer = await member(session, workspace, Role.viewer)
        with pytest.raises(Forbidden):
            await run_manually(tenant, viewer, workflow)
        operator = await member(session, workspace, Role.operator)
        first = await run_manually(tenant, operator, workflow, idempotency_key="k1")
        again = await run_manually(tenant, operator, workflow, idempotency_key="k1")
        await session.commit()
        audits = (
            await session.exec(select(AuditLog).where(AuditLog.action == "workflow.run"))
        ).all()
    assert first.created and not again.created and again.run.id == first.run.id
    assert [a.actor for a in audits] == ["Oscar Operator (operator)"]
    assert audits[0].detail["run_id"] == first.run.id


async def test_retry_only_failed_runs_and_only_once(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, SPEC, Recorder().registry())
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        operator = await member(session, workspace, Role.operator)
        started = await run_manually(tenant, operator, workflow, payload={"email": "a@b.c"})
        with pytest.raises(Conflict, match="only a failed run"):
            await retry_failed(tenant, operator, started.run.id)
        run = await session.get(Run, started.run.id)
        assert run is not None
        run.status = RunStatus.failed
        await session.commit()
        _, retried = await retry_failed(tenant, operator, run.id)
        _, twice = await retry_failed(tenant, operator, run.id)
        await session.commit()
    assert retried.created and not twice.created and twice.run.id == retried.run.id
    assert retried.run.trigger_payload == {"email": "a@b.c"}
