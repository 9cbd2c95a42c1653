"""Show one workflow as it stands (its card, with its current state), and make it "it"."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import UNSAVED, mention
from agents.state import State
from agents.tools.versions import working_copy
from agents.views import draft_card, workflow_summary


async def show(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Describe the workflow meant: schedule, steps and status; its latest card in the web."""
    ctx = runtime.context
    workflow_id = state.get("args", {}).get("workflow_id")
    if not workflow_id:
        draft = state.get("draft") or {}
        reply = draft_card(draft, state.get("draft_class"), [], ctx.runtime.settings.public_url)
        return {"reply": reply, "mentions": mention(state, UNSAVED)}
    working = await working_copy(ctx.runtime, ctx.workspace_id, str(workflow_id))
    return {
        "reply": workflow_summary(working.spec, working.status.value),
        "shown": working.approval_id,
        "workflow_id": working.workflow_id,
        "mentions": mention(state, working.workflow_id),
    }
