"""Drop the current draft (nothing stored is touched)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import UNSAVED, forget
from agents.state import State


async def discard(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Forget the draft in progress."""
    draft = state.get("draft")
    name = (draft or {}).get("name", "the draft")
    return {
        "reply": f"Discarded {name}. Tell me what to automate next.",
        "draft": None,
        "draft_workflow_id": None,
        "discarded": draft if draft and not state.get("draft_workflow_id") else None,
        "mentions": forget(state, UNSAVED),
    }
