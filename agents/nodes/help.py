"""What the assistant can do, in one short paragraph."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State
from agents.views import HELP


async def help_reply(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Reply with examples of what to say."""
    return {"reply": HELP}
