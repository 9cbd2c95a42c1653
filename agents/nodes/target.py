"""The stored workflow this turn acts on, as `understand` resolved it; not a node itself."""

from __future__ import annotations

from agents.context import Context
from agents.state import State
from storage.models import Workflow
from storage.scope import Tenant
from workflows import service
from workflows.errors import NotFound


async def target_workflow(ctx: Context, state: State) -> Workflow:
    """The workflow in `args["workflow_id"]` (NotFound, shown as a reply, when it is gone)."""
    workflow_id = state.get("args", {}).get("workflow_id")
    if not workflow_id:
        raise NotFound("no workflow was named")
    async with ctx.runtime.sessions() as session:
        return await service.get_workflow(Tenant(session, ctx.workspace_id), str(workflow_id))
