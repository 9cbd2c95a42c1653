"""Helpers the drafting tests share."""

from __future__ import annotations

from agents.planner import draft


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
