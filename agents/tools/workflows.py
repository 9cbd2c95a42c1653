"""Workflow tools: list, find by name, run now, pause/resume/archive and delete."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import col

from agents.tools.members import load_member
from storage.models import Run, Workflow, WorkflowStatus
from storage.scope import Tenant
from workflows import service
from workflows.errors import Conflict
from workflows.lookup import match_workflows
from workflows.runs import start_run
from workflows.runtime import Runtime


@dataclass(frozen=True)
class WorkflowLine:
    """A workflow in a list: name, status and its latest run's status."""

    id: str
    name: str
    status: str
    last_run: str | None


async def list_workflows(runtime: Runtime, workspace_id: str) -> list[WorkflowLine]:
    """The workspace's workflows (archived last), each with its latest run's status."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        lines = []
        for workflow in await service.list_workflows(tenant):
            last = await tenant.first(
                tenant.select(Run)
                .where(Run.workflow_id == workflow.id)
                .order_by(col(Run.created_at).desc())
            )
            lines.append(
                WorkflowLine(
                    workflow.id,
                    workflow.name,
                    workflow.status.value,
                    last.status.value if last else None,
                )
            )
    return sorted(lines, key=lambda line: line.status == WorkflowStatus.archived.value)


async def find_workflows(
    runtime: Runtime, workspace_id: str, target: str, recent_id: str | None
) -> list[Workflow]:
    """Workflows a phrase names ("it" → the one this conversation last touched; no phrase → all)."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        if recent_id and (not target or re.fullmatch(r"(?:it|that|this|them)", target)):
            recent = await tenant.get(Workflow, recent_id)
            return [recent] if recent else []
        if not target.strip():
            workflows = await service.list_workflows(tenant)
            return [w for w in workflows if w.status != WorkflowStatus.archived]
        return await match_workflows(tenant, target)


async def run_now(
    runtime: Runtime, workspace_id: str, member_id: str, workflow_id: str, *, wait: float = 20
) -> tuple[str, bool]:
    """Start a manual run and wait up to `wait` seconds; (run id, whether it finished)."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        member = await load_member(session, workspace_id, member_id)
        service.require_operator(member, "run workflows")
        workflow = await service.get_workflow(tenant, workflow_id)
        if runtime.run_gate is not None and (refused := await runtime.run_gate(tenant)):
            raise Conflict(refused)  # over the plan's runs this month: said as the turn's reply
        started = await start_run(tenant, workflow, trigger_type="manual")
        service.audit(tenant, member, "workflow.run", workflow.id, run_id=started.run.id)
        await session.commit()
    task = runtime.submit(started.run.id)
    return started.run.id, await runtime.finished(started.run.id, task, wait)


async def change_status(
    runtime: Runtime, workspace_id: str, member_id: str, workflow_id: str, verb: str
) -> Workflow:
    """Pause, resume or archive (commits, then the scheduler follows)."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        member = await load_member(session, workspace_id, member_id)
        workflow = await service.transition(tenant, workflow_id, verb, member)
        await session.commit()
    await runtime.sync_workflow(workflow)
    return workflow


async def delete_workflow(
    runtime: Runtime, workspace_id: str, member_id: str, workflow_id: str, *, confirmed: bool
) -> str:
    """Delete a workflow (owner, confirmed) and unschedule it; returns its name."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        member = await load_member(session, workspace_id, member_id)
        workflow = await service.delete_workflow(tenant, workflow_id, member, confirmed=confirmed)
        await session.commit()
    if runtime.scheduler is not None:
        runtime.scheduler.sync_workflow(workflow_id, None)
    return workflow.name


async def count_runs(runtime: Runtime, workspace_id: str, workflow_id: str) -> int:
    """How many runs a workflow has."""
    async with runtime.sessions() as session:
        tenant = Tenant(session, workspace_id)
        return await tenant.count(tenant.select(Run).where(Run.workflow_id == workflow_id))
