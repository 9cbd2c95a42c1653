"""Bring back a rejected or discarded draft the person asked for by name, saying so."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime

from agents.context import Context
from agents.nodes.draft import present
from agents.revise import revise as revise_offline
from agents.state import State
from agents.tools.versions import working_copy


async def reopen(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Make the rejected version (or the discarded draft) the working copy again."""
    ctx, args = runtime.context, state.get("args", {})
    workflow_id = args.get("workflow_id")
    if workflow_id:
        working = await working_copy(ctx.runtime, ctx.workspace_id, str(workflow_id))
        spec, name, was = working.spec, working.name, "was rejected"
    else:
        spec = dict(state.get("discarded") or {})
        name, was = str(spec.get("name", "The draft")), "was discarded"
    changes = ["reopened"]
    revision = revise_offline(spec, str(args["change"])) if args.get("change") else None
    if revision is not None:
        spec, changes = revision.spec, [*changes, *revision.changes]
    note = f"{name} {was}; I'm reopening it as you asked."
    update = present(spec, runtime, state, changes, workflow_id=workflow_id)
    return {
        **update,
        "template_id": None,
        "discarded": None if not workflow_id else state.get("discarded"),
        "note": note,
        "reply": f"{note}\n{update['reply']}",
    }


def after_reopen(state: State) -> str:
    """An approval of the reopened draft goes on to send it for approval."""
    return "submit" if state.get("args", {}).get("then") == "approve" else END
