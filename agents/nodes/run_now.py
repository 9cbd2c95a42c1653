"""Run a workflow now and report the outcome with figures."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.mentions import mention
from agents.nodes.analytics import run_summary
from agents.nodes.target import target_workflow
from agents.state import State
from agents.tools.analytics import run_report
from agents.tools.workflows import run_now as start_now


async def run_now(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Start a manual run of the approved version; wait briefly and summarise it."""
    ctx = runtime.context
    workflow = await target_workflow(ctx, state)
    run_id, finished = await start_now(ctx.runtime, ctx.workspace_id, ctx.member_id, workflow.id)
    update = {"workflow_id": workflow.id, "run_id": run_id, "mentions": mention(state, workflow.id)}
    if not finished:
        return {**update, "reply": f'Started {workflow.name}; ask me "how did it go?" shortly.'}
    report = await run_report(ctx.runtime, ctx.workspace_id, run_id, None)
    assert report is not None
    return {**update, "reply": run_summary(report)}
