"""List the workspace's workflows with their status and latest run."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import mention
from agents.state import State
from agents.tools.workflows import list_workflows as workflow_lines

_SHOWN = 15


async def list_workflows(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """One line per workflow, most relevant first."""
    ctx = runtime.context
    lines = await workflow_lines(ctx.runtime, ctx.workspace_id)
    if not lines:
        return {"reply": "You have no workflows yet. Tell me what to automate."}
    active = sum(1 for line in lines if line.status == "active")
    rows = [
        f"• {line.name}: {line.status}" + (f", last run {line.last_run}" if line.last_run else "")
        for line in lines[:_SHOWN]
    ]
    more = f"\n…and {len(lines) - _SHOWN} more." if len(lines) > _SHOWN else ""
    reply = f"{len(lines)} workflows, {active} active:\n" + "\n".join(rows) + more
    if len(lines) == 1:  # listed singly: "it" now means this one
        return {"reply": reply, "mentions": mention(state, lines[0].id)}
    return {"reply": reply}
