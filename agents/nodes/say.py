"""Say one thing: a short question with choices ("which one?"), or why nothing was done."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State


async def say(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Reply with the prepared text; offered options are remembered for the answer."""
    args = state.get("args", {})
    choice = args.get("choice")
    labels = [label for label, _ in choice["options"]] if choice else []
    offered = labels or list(args.get("suggestions") or [])
    reply = str(args.get("reply", ""))
    return {"reply": reply, "choices": offered or None, "pending_choice": choice}
