"""Store the accepted draft pending approval: once per thread and draft revision."""

from __future__ import annotations

from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import UNSAVED, forget, mention
from agents.state import Pending, State
from agents.tools.approvals import submit as submit_draft


async def submit(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Create the workflow (or a new version of it) and prepare the approval card."""
    ctx = runtime.context
    draft, revision = state.get("draft"), state.get("revision", 0)
    if not draft:
        return {"reply": "There is no draft to send for approval yet."}
    admit = ctx.runtime.admit  # a new workflow counts against the plan's active workflows
    new = not state.get("draft_workflow_id")
    if new and admit is not None and (refused := await admit(ctx.workspace_id, "workflow")):
        return {"reply": refused}
    thread_id = get_config()["configurable"]["thread_id"]
    request = await submit_draft(
        ctx.runtime,
        ctx.workspace_id,
        ctx.member_id,
        draft,
        key=f"assistant:{thread_id}:{revision}",
        template_id=state.get("template_id"),
        workflow_id=state.get("draft_workflow_id"),
    )
    pending = Pending(
        approval_id=request.approval_id,
        workflow_id=request.workflow_id,
        revision=revision,
        card=request.model_dump(mode="json"),
    )
    flag = " Class C: an owner must approve and confirm." if request.approval_class == "C" else ""
    reply = (
        f"Sent for approval: {request.workflow_name} (class {request.approval_class}).{flag} "
        f"Who can approve: {request.who_can_approve}."
    )
    note = state.get("note")
    return {
        "pending": pending,
        "submitted": revision,
        "workflow_id": request.workflow_id,
        "draft_workflow_id": request.workflow_id,
        "shown": request.approval_id,
        "mentions": mention({"mentions": forget(state, UNSAVED)}, request.workflow_id),
        "reply": f"{note}\n\n{reply}" if note else reply,
    }
