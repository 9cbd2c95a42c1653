"""Revise the working copy, or a stored workflow the message names: offline rules first, then the
drafter with the spec as context."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.nodes.draft import answer, present
from agents.revise import address_question
from agents.revise import revise as revise_offline
from agents.state import State
from agents.tools.versions import working_copy


async def revise(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Apply the change to the workflow meant and show the new card."""
    args = state.get("args", {})
    current = state.get("draft") or {}
    workflow_id, template_id = state.get("draft_workflow_id"), state.get("template_id")
    named = args.get("workflow_id")
    if named and (named != workflow_id or not current):
        ctx = runtime.context
        working = await working_copy(ctx.runtime, ctx.workspace_id, str(named))
        current, workflow_id, template_id = working.spec, working.workflow_id, None
    text = state.get("text", "")
    revision = revise_offline(current, str(args.get("change") or text))
    if revision is not None:
        update = present(revision.spec, runtime, state, revision.changes, workflow_id=workflow_id)
        return {**update, "template_id": template_id}
    question = address_question(current, text)
    if question is not None:  # an address for one of several stand-ins: which one?
        return {"reply": question}
    result = await runtime.context.drafter.draft(text, current=current)
    reply = answer(result)
    if reply is not None:
        return {"reply": reply, "choices": result.suggestions or None}
    assert result.workflow is not None
    changes = ["redrafted from your message"]
    update = present(result.workflow, runtime, state, changes, workflow_id=workflow_id)
    return {**update, "template_id": template_id}
