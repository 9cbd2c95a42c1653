"""Revise the current draft: offline rules first, then the drafter with the draft as context."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.nodes.draft import answer, present
from agents.revise import revise as revise_offline
from agents.state import State


async def revise(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Apply the change to the draft and show the new card."""
    current = state.get("draft") or {}
    text = state.get("text", "")
    revision = revise_offline(current, text)
    if revision is not None:
        return present(revision.spec, runtime, state, revision.changes)
    result = await runtime.context.drafter.draft(text, current=current)
    reply = answer(result)
    if reply is not None:
        return {"reply": reply}
    assert result.workflow is not None
    return present(result.workflow, runtime, state, ["redrafted from your message"])
