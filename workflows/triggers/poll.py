"""RSS/Atom poll trigger: fetch the feed, keep only items this workflow has not seen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.base import ActionContext
from storage.models import Workflow
from storage.types import new_id

if TYPE_CHECKING:
    from workflows.runtime import Runtime


async def poll_feed(
    runtime: Runtime, workflow: Workflow, url: str, *, remember: bool
) -> list[dict[str, Any]]:
    """New items of the feed for this workflow; `remember` marks them seen.

    When the workflow has its own `rss.new_items` step, that step marks items as seen inside the
    run, so the trigger only looks (remember=False) and starts a run only when there is news.
    """
    ctx = ActionContext(
        settings=runtime.settings,
        sessions=runtime.sessions,
        http=runtime.http,
        workspace_id=workflow.workspace_id,
        workflow_id=workflow.id,
        run_id="poll",
        step_id="poll",
        idempotency_key=f"poll:{workflow.id}:{new_id()}",
        dry_run=not remember,
    )
    output = await runtime.registry.get("rss.new_items").run(ctx, {"url": url})
    items: list[dict[str, Any]] = output.model_dump(mode="json")["items"]
    return items
