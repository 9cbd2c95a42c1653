"""`DraftResult`: what a planner (offline rules now, the LLM path later) returns for a request.

Contract (one JSON object; `levqor draft --json` prints exactly this):
`{"id"?, "status", "question", "reason", "approval_class", "timezone", "workflow", "summary",
"suggestions"}`.

- `status` is "draft", "clarify" (one short `question`) or "refuse" (one-sentence `reason`).
- `approval_class` is always computed by `workflows.policy.assess` from the (best-effort) spec,
  never by text rules; for refuse/clarify it is the class of what the request would need.
- `workflow` is the WorkflowSpec JSON. For clarify it is the provisional reading (shown beside the
  question): what starts it and the steps read so far, none when nothing was asked of a step
  yet ("what should i automate?"), so it is not a valid spec then; for refuse it is the reading
  that was refused, shown for transparency only: a refused or unclarified workflow is never
  stored or offered for approval.
- `summary` is the draft in plain words for a non-technical owner (what starts it, what each step
  does to whom), from `workflows.describe`; filled in by the model itself whenever a workflow is
  set, so every drafter (offline planner, LLM) returns it; null when there is no workflow.
- `suggestions` is, for clarify, a short list of concrete options to pick from (channels, or
  automations drawn from the templates for a vague request); null otherwise.
- `timezone` is the IANA zone the request *named* (null when it named none). A schedule trigger
  always carries a zone ("UTC" when none was named), so "UTC" in the spec alone does not mean the
  user said UTC; the evaluation compares this field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from workflows.describe import summary as summary_of

DraftStatus = Literal["draft", "clarify", "refuse"]


class DraftResult(BaseModel):
    """The outcome of drafting one request."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    status: DraftStatus
    question: str | None = None
    reason: str | None = None
    approval_class: Literal["A", "B", "C"] | None = None
    timezone: str | None = None
    workflow: dict[str, Any] | None = None
    summary: str | None = None
    suggestions: list[str] | None = None

    @model_validator(mode="after")
    def _summarised(self) -> DraftResult:
        """Every producer's workflow gets its plain-words summary here, in one place."""
        if self.workflow is not None and not self.summary:
            self.summary = summary_of(self.workflow)
        if self.workflow is None:
            self.summary = None
        return self

    def in_zone(self, zone: str) -> DraftResult:
        """The draft with its schedule in the workspace's `zone` when the request named none."""
        trigger = (self.workflow or {}).get("trigger")
        if self.timezone is not None or not isinstance(trigger, dict) or zone == "UTC":
            return self
        if trigger.get("type") != "schedule" or self.workflow is None:
            return self
        workflow = {**self.workflow, "trigger": {**trigger, "timezone": zone}}
        return self.model_copy(update={"workflow": workflow})

    def to_json(self) -> str:
        """One compact JSON line (the `id` key only when set)."""
        return self.model_dump_json(exclude_none=False, exclude={"id"} if self.id is None else None)
