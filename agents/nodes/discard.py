"""Drop the current draft (nothing stored is touched)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State


async def discard(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Forget the draft in progress."""
    name = (state.get("draft") or {}).get("name", "the draft")
    return {"reply": f"Discarded {name}. Tell me what to automate next.", "draft": None}
