"""Which stored workflow a message means ("it", "the weekly report"); not a node itself."""

from __future__ import annotations

from agents.tools.workflows import find_workflows
from storage.models import Workflow
from workflows.runtime import Runtime


async def resolve(
    runtime: Runtime, workspace_id: str, target: str, recent_id: str | None
) -> Workflow | str:
    """The one workflow meant, or a reply asking which (or saying none matched)."""
    found = await find_workflows(runtime, workspace_id, target, recent_id)
    if len(found) == 1:
        return found[0]
    if not found:
        return f'I can\'t find a workflow matching {target or "that"!r}. Say "list my workflows".'
    names = ", ".join(w.name for w in found[:5])
    return f"Which one do you mean: {names}?"
