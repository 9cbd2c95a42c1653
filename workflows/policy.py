"""Approval policy: a spec's class (A, B, C) and who may approve it. Code decides, not the LLM.

Every front (REST, the web approvals page, Slack buttons, the chat) asks `requirement` what a
member must do to approve, and `service.decide` enforces `check_approver`; none decides itself.

- **A**: any member but viewers.
- **B**: an admin or owner. Their own request only with an explicit confirmation, and only when
  the workspace allows self-approval or nobody else could approve (a one-owner workspace).
- **C**: an owner's typed confirmation of the workflow's name, never the requester alone. An
  owner's own request needs a second owner or admin, who types the name too; an owner who is the
  only owner or admin types the name and then confirms by a single-use link emailed to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from integrations.base import CustomerData, Risk
from integrations.registry import ActionRegistry
from storage.models import Role
from workflows.dataflow import leaks
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
    """The approval class from each step's declared risk and from where customer data goes."""
    worst = Risk.read
    reasons: list[str] = []
    for step in spec.steps:
        if step.action is None:
            continue
        risk = registry.get(step.action).risk_of(step.inputs)
        if risk >= Risk.external:
            reasons.append(f"{step.id}: {step.action} is {risk.name}")
        worst = max(worst, risk)
    for leak in leaks(spec, registry):
        reasons.append(leak.reason)
        worst = max(worst, Risk.critical if leak.amount >= CustomerData.many else Risk.external)
    if spec.owner_check:
        reasons.append(spec.owner_check)
        worst = Risk.critical
    approval_class = _CLASS_OF_RISK[worst]
    if not reasons:
        reasons.append(_WHY[approval_class])
    return Assessment(approval_class, reasons)


class ApprovalDenied(PermissionError):
    """The member may not make this decision; the message says why."""


class NameNeeded(ApprovalDenied):
    """A lone owner's own class C: approving starts with typing the workflow's name."""


class EmailLinkNeeded(PermissionError):
    """Everything is in order but the second factor: a link emailed to the member confirms it."""


class Need(StrEnum):
    """What a member must add to approve a request (besides clicking Approve)."""

    nothing = "nothing"
    confirm = "confirm"  # an explicit confirmation (a ticked box, confirm=true)
    name = "name"  # type the workflow's name (class C): the typed name is the confirmation
    name_and_email = "name_and_email"  # type the workflow's name, then click an emailed link


@dataclass(frozen=True)
class Approver:
    """The member deciding, as the policy sees them."""

    role: Role
    is_requester: bool
    requester_role: Role | None
    others: int  # owners and admins of the workspace other than this member
    self_approval: bool  # the workspace allows self-approval of class B

    @property
    def alone(self) -> bool:
        """Whether nobody else in the workspace could approve (no other owner or admin)."""
        return self.others == 0


def requirement(approval_class: str, who: Approver) -> Need:
    """What `who` must add to approve a request of this class; ApprovalDenied if they never may."""
    if who.role == Role.viewer:
        raise ApprovalDenied("viewers cannot approve workflows")
    if approval_class == "B":
        if who.role not in (Role.owner, Role.admin):
            raise ApprovalDenied("class B workflows need an admin or owner to approve")
        if not who.is_requester:
            return Need.nothing
        if not (who.self_approval or who.alone):
            raise ApprovalDenied(
                "class B workflows need someone other than the requester to approve "
                "(this workspace does not allow self-approval)"
            )
        return Need.confirm
    if approval_class == "C":
        if who.is_requester:
            if not who.alone:
                raise ApprovalDenied(
                    "You asked for this class C workflow yourself: a second owner or admin "
                    "must approve it."
                )
            if who.role != Role.owner:
                raise ApprovalDenied("class C workflows need an owner to approve")
            return Need.name_and_email
        if who.role == Role.owner or (who.role == Role.admin and who.requester_role == Role.owner):
            return Need.name
        raise ApprovalDenied(
            "class C workflows need an owner to approve (or, when an owner asked for one, "
            "a second owner or admin)"
        )
    return Need.nothing


def check_approver(
    approval_class: str,
    who: Approver,
    *,
    confirmed: bool,
    workflow_name: str,
    typed_name: str | None = None,
    link_confirmed: bool = False,
) -> None:
    """Raise ApprovalDenied unless `who` may approve now; EmailLinkNeeded for the second factor."""
    need = requirement(approval_class, who)
    if need == Need.confirm and not confirmed and not link_confirmed:
        if approval_class == "B":
            raise ApprovalDenied(
                "You asked for this class B workflow yourself: confirm that you checked what it "
                "sends outside (confirm=true) to approve it"
            )
        raise ApprovalDenied("class C workflows need a second explicit confirmation (confirm=true)")
    if need == Need.name and not link_confirmed:
        if typed_name is None or not typed_name.strip():
            raise NameNeeded(
                f"class C workflows are approved by typing their name: type “{workflow_name}” "
                "to approve it"
            )
        if _folded(typed_name) != _folded(workflow_name):
            raise ApprovalDenied(f"The name you typed does not match “{workflow_name}”")
        return
    if need == Need.name_and_email and not link_confirmed:
        if typed_name is None or not typed_name.strip():
            raise NameNeeded(
                "You are the only owner and you asked for this class C workflow: type its name "
                "to approve it, then click the link we email you"
            )
        if _folded(typed_name) != _folded(workflow_name):
            raise ApprovalDenied(f"The name you typed does not match “{workflow_name}”")
        raise EmailLinkNeeded("a link emailed to you confirms this approval")


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def may_operate(role: Role) -> bool:
    """Whether a role may create, change, run or decline workflows (everyone but viewers)."""
    return role != Role.viewer


def may_approve(approval_class: str, role: Role) -> bool:
    """Whether a role could ever approve this class (for showing buttons and naming approvers)."""
    return {
        "A": may_operate(role),
        "B": role in (Role.owner, Role.admin),
        "C": role in (Role.owner, Role.admin),  # an admin only as an owner's second approver
    }[approval_class]
