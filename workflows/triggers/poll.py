"""Poll trigger: fetch the feed, keep only items this workflow has not seen; and, for a workflow
with a `social.mentions` step, look whether that step would find new mentions (a poll without a
feed address only does that)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from integrations.base import ActionContext, ActionError, RetryableError
from storage.models import Workflow
from storage.types import new_id

if TYPE_CHECKING:
    from workflows.runtime import Runtime
    from workflows.spec import WorkflowSpec

log = logging.getLogger(__name__)


def poll_context(runtime: Runtime, workflow: Workflow, *, remember: bool) -> ActionContext:
    return ActionContext(
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


async def poll_feed(
    runtime: Runtime, workflow: Workflow, url: str, *, remember: bool
) -> list[dict[str, Any]]:
    """New items of the feed for this workflow; `remember` marks them seen.

    When the workflow has its own `rss.new_items` step, that step marks items as seen inside the
    run, so the trigger only looks (remember=False) and starts a run only when there is news.
    """
    ctx = poll_context(runtime, workflow, remember=remember)
    output = await runtime.registry.get("rss.new_items").run(ctx, {"url": url})
    items: list[dict[str, Any]] = output.model_dump(mode="json")["items"]
    return items


async def new_mentions(runtime: Runtime, workflow: Workflow, spec: WorkflowSpec) -> bool:
    """Whether the workflow's `social.mentions` step would find something new (only a look: the
    step remembers what it reports inside the run). Inputs that refer to the run (templated) are
    assumed to have news. When no source can be read for a reason waiting will not fix, the run
    starts so that its failure is reported; a passing problem waits for the next poll."""
    step = next((s for s in spec.steps if s.action == "social.mentions"), None)
    if step is None:
        return False
    if "{{" in json.dumps(step.inputs) or "{%" in json.dumps(step.inputs):
        return True
    ctx = poll_context(runtime, workflow, remember=False)
    try:
        output = await runtime.registry.get("social.mentions").run(ctx, dict(step.inputs))
    except RetryableError as exc:
        log.warning("mentions look for workflow %s failed: %s", workflow.id, exc)
        return False
    except (ActionError, ValidationError):
        return True
    count: int = output.count
    return count > 0
