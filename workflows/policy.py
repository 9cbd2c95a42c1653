"""Approval policy: a spec's class (A, B, C) and who may approve it. Code decides, not the LLM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from integrations.base import Risk
from integrations.registry import ActionRegistry
from storage.models import Role
from workflows.spec import WorkflowSpec

ApprovalClass = Literal["A", "B", "C"]

_CLASS_OF_RISK: dict[Risk, ApprovalClass] = {
    Risk.read: "A",
    Risk.internal: "A",
    Risk.external: "B",
    Risk.critical: "C",
}
_WHY = {
    "A": "internal only: it reads data or tells our own people",
    "B": "external side effects: it reaches customers or writes to a system of record",
    "C": "critical: it deletes data, changes billing, handles credentials or sends in bulk",
}


@dataclass(frozen=True)
class Assessment:
    """A spec's approval class and the steps that set it."""

    approval_class: ApprovalClass
    reasons: list[str]

    @property
    def summary(self) -> str:
        """One sentence saying why the class is what it is."""
        return f"Class {self.approval_class}: {_WHY[self.approval_class]}."


def assess(spec: WorkflowSpec, registry: ActionRegistry) -> Assessment:
    """Compute the approval class from the risk each step's action declares."""
    worst = Risk.read
    reasons: list[str] = []
    for step in spec.steps:
        if step.action is None:
            continue
        risk = registry.get(step.action).risk_of(step.inputs)
        if risk >= Risk.external:
            reasons.append(f"{step.id}: {step.action} is {risk.name}")
        worst = max(worst, risk)
    approval_class = _CLASS_OF_RISK[worst]
    if not reasons:
        reasons.append(_WHY[approval_class])
    return Assessment(approval_class, reasons)


class ApprovalDenied(PermissionError):
    """The member may not make this decision; the message says why."""


def check_approver(
    approval_class: str,
    *,
    role: Role,
    is_requester: bool,
    allow_self_approval: bool,
    confirmed: bool,
) -> None:
    """Raise ApprovalDenied unless this member may approve a version of this class."""
    if role == Role.viewer:
        raise ApprovalDenied("viewers cannot approve workflows")
    if approval_class == "B":
        if role not in (Role.owner, Role.admin):
            raise ApprovalDenied("class B workflows need an admin or owner to approve")
        if is_requester and not allow_self_approval:
            raise ApprovalDenied(
                "class B workflows need someone other than the requester to approve "
                "(this workspace does not allow self-approval)"
            )
    if approval_class == "C":
        if role != Role.owner:
            raise ApprovalDenied("class C workflows need an owner to approve")
        if not confirmed:
            raise ApprovalDenied(
                "class C workflows need a second explicit confirmation (confirm=true)"
            )


def may_operate(role: Role) -> bool:
    """Whether a role may create, change, run or decline workflows (everyone but viewers)."""
    return role != Role.viewer


def may_approve(approval_class: str, role: Role) -> bool:
    """Whether a role could ever approve this class (for showing buttons)."""
    return {
        "A": may_operate(role),
        "B": role in (Role.owner, Role.admin),
        "C": role == Role.owner,
    }[approval_class]
