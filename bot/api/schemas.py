"""Request and response models of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from storage.json_limits import clip_depth
from storage.models import Approval, OutboxMessage, Run, RunEvent, RunStatus, StepRun, Workflow
from workflows.cancellation import outcome_text


class WorkflowCreate(BaseModel):
    """Create from a template (`template_id` + `params`) or from a full `spec`."""

    template_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    spec: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> WorkflowCreate:
        if (self.template_id is None) == (self.spec is None):
            raise ValueError("give either template_id (with params) or spec")
        return self


class VersionCreate(BaseModel):
    """A new spec for an existing workflow (goes through approval)."""

    spec: dict[str, Any]


class Decision(BaseModel):
    """An approval decision's optional reason, its confirmation, and a typed workflow name."""

    reason: str | None = Field(default=None, max_length=2000)
    confirm: bool = False
    typed_name: str | None = Field(
        default=None,
        max_length=200,
        description="the workflow's name: class C is approved by typing it",
    )


class RunRequest(BaseModel):
    """Run now: an optional payload and dry-run switch."""

    payload: dict[str, Any] = Field(default_factory=dict)
    dry_run: bool = False
    wait: bool = Field(default=False, description="wait for the run to finish before answering")


class ApprovalOut(BaseModel):
    """An approval request and its decision."""

    id: str
    workflow_id: str
    version_id: str
    approval_class: str = Field(serialization_alias="class")
    reasons: list[str]
    decision: str
    requested_by: str | None
    decided_by: str | None
    reason: str | None
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, row: Approval) -> ApprovalOut:
        """From the table row."""
        return cls.model_validate(row, from_attributes=True)


class WorkflowOut(BaseModel):
    """A workflow with its current spec and (when pending) approval."""

    id: str
    name: str
    category: str | None
    status: str
    template_id: str | None
    active_version: int | None
    latest_version: int
    approval_class: str | None = None
    spec: dict[str, Any] | None = None
    webhook_url: str | None = None
    form_url: str | None = None
    approval: ApprovalOut | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Workflow, **extra: Any) -> WorkflowOut:
        """From the table row plus computed fields."""
        return cls.model_validate(row, from_attributes=True).model_copy(update=extra)


class StepOut(BaseModel):
    """One step of a run."""

    step_id: str
    position: int
    action: str
    status: str
    attempts: int
    inputs: dict[str, Any]
    output: dict[str, Any] | None
    error: str | None
    idempotency_key: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: float | None

    @classmethod
    def of(cls, row: StepRun) -> StepOut:
        """From the table row (data nested too deep is clipped, so every run stays readable)."""
        out = cls.model_validate(row, from_attributes=True)
        out.inputs = clip_depth(out.inputs)
        out.output = clip_depth(out.output)
        return out


class EventOut(BaseModel):
    """One entry of a run's timeline."""

    step_id: str | None
    kind: str
    message: str
    at: datetime

    @classmethod
    def of(cls, row: RunEvent) -> EventOut:
        """From the table row."""
        return cls.model_validate(row, from_attributes=True)


class RunOut(BaseModel):
    """A run, with its steps and events when fetched alone."""

    id: str
    workflow_id: str
    version_id: str
    status: str = Field(
        description="`queued`, `running`, `waiting`, `succeeded`, `failed` or "
        "`cancelled` (ended on purpose: neither a success nor a failure)"
    )
    trigger_type: str
    trigger_payload: dict[str, Any]
    dry_run: bool
    error: str | None = Field(description="why the run failed, in a sentence (null unless failed)")
    cancel_reason: str | None = Field(
        default=None, description="why the run was cancelled, in words (null unless cancelled)"
    )
    outcome: str = Field(
        default="", description='the status in words, e.g. "Cancelled — the workspace was deleted"'
    )
    resume_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    steps: list[StepOut] | None = None
    events: list[EventOut] | None = None

    @classmethod
    def of(cls, row: Run, **extra: Any) -> RunOut:
        """From the table row (a payload nested too deep is clipped: every run stays readable)."""
        out = cls.model_validate(row, from_attributes=True).model_copy(update=extra)
        out.trigger_payload = clip_depth(out.trigger_payload)
        out.outcome = outcome_text(row.status, row.error)
        if row.status == RunStatus.cancelled:
            out.error, out.cancel_reason = None, row.error
        return out


class OutboxOut(BaseModel):
    """A message kept in the outbox."""

    id: str
    channel: str
    target: str
    subject: str | None
    body: str
    status: str
    reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: OutboxMessage) -> OutboxOut:
        """From the table row."""
        return cls.model_validate(row, from_attributes=True)


class HookAccepted(BaseModel):
    """The webhook hub's answer."""

    run_id: str | None
    duplicate: bool
    skipped: str | None = None  # why no run was started (over the plan's run quota)


class HookAnswered(HookAccepted):
    """A "when done" webhook's answer: how the run ended and the chosen step's output."""

    status: str = Field(description="`succeeded`, `failed` or `cancelled`")
    output: dict[str, Any] | None = Field(
        default=None, description="the chosen step's output (else the last step's that ran)"
    )
    error: str | None = Field(default=None, description="why the run failed, in a sentence")


class HealthOut(BaseModel):
    """Liveness for anyone; with an API key, the workspace's figures and this server's load."""

    status: str = Field(description="`ok` while the server answers")
    scope: str | None = Field(default=None, description="`workspace` when a key was sent")
    load_tier: str | None = Field(
        default=None, description="low, medium, high or critical: which rate limits apply now"
    )
    load: dict[str, Any] | None = None
    scheduler: dict[str, Any] | None = None
    runs_24h: int | None = None
    succeeded_24h: int | None = None
    failed_24h: int | None = None
    cancelled_24h: int | None = Field(
        default=None, description="runs cancelled on purpose: neither succeeded nor failed"
    )
    success_rate_24h: float | None = None
    waiting_runs: int | None = None
    active_workflows: int | None = None
    pending_approvals: int | None = None
