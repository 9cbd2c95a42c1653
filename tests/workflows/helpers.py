"""Test helpers: a registry of observable test actions and a quick way to activate a workflow."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from integrations.registry import ActionRegistry
from storage.models import Member, Role, Workflow, Workspace
from storage.scope import Tenant
from workflows import service
from workflows.runs import StartedRun, start_run


class Note(ActionInput):
    text: str = ""
    fail_times: int = 0
    retry_after: float | None = None
    sleep: float = 0.0


class Noted(ActionOutput):
    text: str
    calls: int


@dataclass
class Recorder:
    """Actions that record every call, so tests can count side effects."""

    calls: Counter[str] = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)

    def registry(self) -> ActionRegistry:
        async def record(ctx: ActionContext, inp: Note) -> Noted:
            self.calls[ctx.idempotency_key] += 1
            if inp.sleep:
                await asyncio.sleep(inp.sleep)
            if self.calls[ctx.idempotency_key] <= inp.fail_times:
                raise RetryableError("temporarily down", retry_after=inp.retry_after)
            self.texts.append(inp.text)
            return Noted(text=inp.text, calls=self.calls[ctx.idempotency_key])

        async def broken(ctx: ActionContext, inp: Note) -> Noted:
            self.calls[ctx.idempotency_key] += 1
            raise ActionError(f"refused: {inp.text}")

        return ActionRegistry(
            [
                Action("test.note", "record a note", Risk.internal, Note, Noted, record),
                Action("test.broken", "always fails", Risk.internal, Note, Noted, broken),
                Action("test.send", "external send", Risk.external, Note, Noted, record),
            ]
        )


async def owner_of(session: AsyncSession, workspace: Workspace) -> Member:
    """The workspace's owner."""
    query = select(Member).where(Member.workspace_id == workspace.id, Member.role == Role.owner)
    return (await session.exec(query)).one()


async def activate(
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    spec: dict[str, Any],
    registry: ActionRegistry,
) -> Workflow:
    """Create a workflow from `spec` and approve it as the owner."""
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        owner = await owner_of(session, workspace)
        parsed = service.parse_spec(spec, registry)
        proposal = await service.create_workflow(tenant, parsed, registry, None)
        await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
        await session.commit()
        return proposal.workflow


async def new_run(
    sessions: async_sessionmaker[AsyncSession],
    workflow: Workflow,
    payload: dict[str, Any] | None = None,
    **kwargs: Any,
) -> StartedRun:
    """Record a manual run of the workflow."""
    async with sessions() as session:
        tenant = Tenant(session, workflow.workspace_id)
        fresh = await session.get(Workflow, workflow.id)
        assert fresh is not None
        return await start_run(tenant, fresh, trigger_type="manual", payload=payload, **kwargs)
