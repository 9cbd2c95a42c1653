"""Pause, resume or archive a workflow; the scheduler follows."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import mention
from agents.nodes.target import target_workflow
from agents.state import State
from agents.tools.workflows import change_status as transition


async def change_status(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Apply the verb the message used to the workflow it names."""
    ctx = runtime.context
    verb = str(state.get("intent"))
    workflow = await target_workflow(ctx, state)
    changed = await transition(ctx.runtime, ctx.workspace_id, ctx.member_id, workflow.id, verb)
    return {
        "workflow_id": changed.id,
        "mentions": mention(state, changed.id),
        "reply": f"{changed.name} is now {changed.status.value}.",
    }
