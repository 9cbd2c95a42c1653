"""Delete a workflow: class C, so an owner asks, then confirms explicitly in a second message."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import forget
from agents.nodes.target import target_workflow
from agents.state import Confirmation, State
from agents.tools.members import load_member
from agents.tools.workflows import count_runs, delete_workflow
from storage.models import Role


async def delete(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """First ask for confirmation (owners only); on "confirm", delete; on "cancel", keep it."""
    ctx = runtime.context
    intent, waiting = state.get("intent"), state.get("confirmation")
    if intent == "cancel":
        return {"confirmation": None, "reply": "Cancelled; nothing was deleted."}
    if intent == "confirm" and waiting:
        name = await delete_workflow(
            ctx.runtime, ctx.workspace_id, ctx.member_id, waiting["workflow_id"], confirmed=True
        )
        gone = waiting["workflow_id"]
        done: dict[str, Any] = {"confirmation": None, "workflow_id": None}
        if state.get("draft_workflow_id") == gone:
            done |= {"draft": None, "draft_workflow_id": None}
        return {**done, "mentions": forget(state, gone), "reply": f"Deleted {name}."}
    async with ctx.runtime.sessions() as session:
        member = await load_member(session, ctx.workspace_id, ctx.member_id)
    if member.role != Role.owner:
        return {"reply": "Deleting a workflow is class C: only an owner can do it."}
    workflow = await target_workflow(ctx, state)
    runs = await count_runs(ctx.runtime, ctx.workspace_id, workflow.id)
    confirmation = Confirmation(action="delete", workflow_id=workflow.id, name=workflow.name)
    reply = (
        f"Class C: deleting {workflow.name} removes it and its {runs} runs for good. "
        'Say "confirm" to delete it, or "cancel".'
    )
    return {"confirmation": confirmation, "reply": reply}
