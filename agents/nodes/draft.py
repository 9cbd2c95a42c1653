"""Draft a new workflow from the message (the drafter), and show it as a card."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.drafts import DraftResult
from agents.mentions import UNSAVED, mention
from agents.state import State
from agents.views import draft_card
from storage.models import Workspace
from workflows import policy, service


def present(
    spec: dict[str, Any],
    runtime: Runtime[Context],
    state: State,
    changes: list[str],
    *,
    workflow_id: str | None = None,
) -> dict[str, Any]:
    """State update for a new working copy revision (of `workflow_id` when it changes a stored
    workflow); the class is computed by policy, never taken."""
    parsed = service.parse_spec(spec, runtime.context.runtime.registry)
    assessment = policy.assess(parsed, runtime.context.runtime.registry)
    clean = parsed.model_dump(mode="json", exclude_none=True)
    return {
        "draft": clean,
        "draft_class": assessment.approval_class,
        "draft_workflow_id": workflow_id,
        "revision": state.get("revision", 0) + 1,
        "mentions": mention(state, workflow_id or UNSAVED),
        "reply": draft_card(
            clean,
            assessment.approval_class,
            changes,
            runtime.context.runtime.settings.public_url,
        ),
    }


def answer(result: DraftResult) -> str | None:
    """The reply for a clarify or refuse result (None for a usable draft)."""
    if result.status == "clarify":
        return result.question or "Could you say a bit more about what it should do?"
    if result.status == "refuse" or result.workflow is None:
        return result.reason or "I can't draft that."
    return None


async def workspace_zone(context: Context) -> str:
    """The timezone the workspace drafts in (its settings; UTC by default)."""
    async with context.runtime.sessions() as session:
        workspace = await session.get(Workspace, context.workspace_id)
    return workspace.timezone if workspace is not None else "UTC"


async def draft(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the drafter; clarify instead of guessing, refuse what must be refused."""
    admit = runtime.context.runtime.admit  # the plan's AI drafts a month
    if admit is not None and (refused := await admit(runtime.context.workspace_id, "ai_draft")):
        return {"reply": refused}
    result = await runtime.context.drafter.draft(state.get("text", ""))
    result = result.in_zone(await workspace_zone(runtime.context))
    reply = answer(result)
    if reply is not None:
        offered = result.suggestions if result.status == "clarify" else None
        return {"reply": reply, "choices": offered or None}
    assert result.workflow is not None
    update = present(result.workflow, runtime, state, [])
    return {**update, "template_id": None}
