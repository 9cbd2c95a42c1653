"""Helpers the drafting tests share."""

from __future__ import annotations

from agents.drafts import DraftResult
from agents.planner import draft
from integrations.catalog import default_registry
from workflows.policy import assess
from workflows.spec import WorkflowSpec


def drafted_trigger(request: str) -> dict[str, object]:
    """The trigger of the workflow drafted for `request` (it must draft one)."""
    result = draft(request)
    assert result.workflow is not None, result
    trigger = result.workflow["trigger"]
    assert isinstance(trigger, dict)
    return trigger


def drafted_actions(request: str) -> list[str]:
    """The actions of the steps drafted for `request`, in order (it must draft a workflow)."""
    result = draft(request)
    assert result.workflow is not None, result
    return [str(s.get("action")) for s in result.workflow["steps"]]


def steps_class(result: DraftResult) -> str:
    """The approval class of the steps drafted, the risk model's owner check set aside: what the
    rules made of the request (the check may still put the draft before an owner)."""
    assert result.workflow is not None, result
    spec = WorkflowSpec.model_validate(result.workflow).model_copy(update={"owner_check": None})
    return assess(spec, default_registry()).approval_class
