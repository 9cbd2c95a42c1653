"""Refuse what is never done through chat (skipping approval, handling secrets)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State


async def refuse(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Reply with the refusal; nothing is drafted, stored or approved."""
    return {"reply": str(state.get("args", {}).get("reason", "I can't do that."))}
