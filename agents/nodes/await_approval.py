"""Pause the conversation on the approval card until a decision arrives (any process)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents.approval import ApprovalResponse
from agents.context import Context
from agents.state import State


async def await_approval(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Interrupt with the ApprovalRequest; resumes with an ApprovalResponse. No side effects."""
    pending = state.get("pending")
    if pending is None:
        return {}
    answer = interrupt(pending["card"])
    response = ApprovalResponse.model_validate(answer)
    return {"response": response.model_dump(mode="json"), "denied": False, "shown": None}
