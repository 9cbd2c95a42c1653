"""The typed approval exchange: what the graph asks (`ApprovalRequest`) and what comes back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SampleCard(BaseModel):
    """A message a step sends, rendered on sample data ("It will post in #sales: …")."""

    headline: str
    body: str
    subject: str | None = None
    note: str | None = None


class StepCard(BaseModel):
    """One step on a card: what it does in words, and the message it sends, if any."""

    text: str
    sample: SampleCard | None = None


class ApprovalRequest(BaseModel):
    """An approval card: the stored version waiting for a decision, in plain words.

    `trigger` and `steps` are the plain-words lines every front shows; `summary`, `next_runs`,
    `step_cards` (each step with its sample message) and `advanced` (the technical view, shown
    only under an "Advanced" disclosure) come from `workflows.describe`.
    """

    model_config = ConfigDict(extra="forbid")

    approval_id: str
    workflow_id: str
    workflow_name: str
    trigger: str
    steps: list[str]
    approval_class: Literal["A", "B", "C"]
    reasons: list[str] = Field(default_factory=list)
    who_can_approve: str
    needs_confirmation: bool = False
    summary: str = ""
    next_runs: list[str] = Field(default_factory=list)
    step_cards: list[StepCard] = Field(default_factory=list)
    advanced: list[str] = Field(default_factory=list)


class ApprovalResponse(BaseModel):
    """A decision on an approval card (a click, a CLI prompt or a chat reply)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    approval_id: str | None = None
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)
    typed_name: str | None = Field(default=None, max_length=200)  # class C: the workflow's name

    @property
    def approve(self) -> bool:
        """Whether this is an approval (not a rejection)."""
        return self.decision == "approve"
