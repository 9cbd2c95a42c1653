"""`member:me` in a workflow means the member who asked for it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Member, OutboxMessage, Role, RunStatus, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import new_run, owner_of
from workflows import service
from workflows.runtime import Runtime

SPEC = {
    "name": "Note to self",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "mail",
            "action": "email.send",
            "inputs": {"to": "member:me", "subject": "Hi", "text": "from Levqor"},
        }
    ],
}


async def test_member_me_is_the_requester(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    runtime = Runtime(settings)
    try:
        async with sessions() as session:
            tenant = Tenant(session, workspace.id)
            query = select(Member).where(
                Member.workspace_id == workspace.id, Member.role == Role.operator
            )
            operator = (await session.exec(query)).one()
            spec = service.parse_spec(SPEC, runtime.registry)
            proposal = await service.create_workflow(tenant, spec, runtime.registry, operator)
            owner = await owner_of(session, workspace)
            await service.decide(tenant, proposal.approval.id, owner, approve=True)
            await session.commit()
        run = await runtime.engine.execute((await new_run(sessions, proposal.workflow)).run.id)
        assert run.status == RunStatus.succeeded
    finally:
        await runtime.close()
    async with sessions() as session:
        targets = [m.target for m in (await session.exec(select(OutboxMessage))).all()]
    assert targets == ["operator@example.com"]
