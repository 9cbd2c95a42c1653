"""Who is speaking, and who may approve a request now (for cards and replies that name people)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Approval, Member, Role
from storage.scope import Tenant
from workflows import policy, service
from workflows.errors import Forbidden


async def load_member(session: AsyncSession, workspace_id: str, member_id: str) -> Member:
    """The speaking member, or Forbidden when they are not in this workspace."""
    member = await session.get(Member, member_id)
    if member is None or member.workspace_id != workspace_id:
        raise Forbidden("you are not a member of this workspace")
    return member


# What each approver does, in the order a card lists them.
_HOW = (
    (policy.Need.nothing, "approves with one click", "approve with one click"),
    (policy.Need.confirm, "ticks that they checked what it sends", "tick that they checked it"),
    (policy.Need.name, "types its name", "type its name"),
    (
        policy.Need.name_and_email,
        "types its name, then confirms from an email we send",
        "type its name, then confirm from an email we send",
    ),
)


async def who_may_approve(tenant: Tenant, approval: Approval) -> str:
    """Who in this workspace may approve this request now, and what each must do, as the
    policy decides it for each member ("Dana Owner (owner) types its name, then confirms from an
    email we send")."""
    members = list(await tenant.all(tenant.select(Member)))
    order = list(Role)
    needs: dict[policy.Need, list[str]] = {}
    for member in sorted(members, key=lambda m: (order.index(m.role), m.name)):
        who = await service.approver_for(tenant, approval, member)  # as a decision would see them
        try:
            need = policy.requirement(approval.approval_class, who)
        except policy.ApprovalDenied:
            continue
        needs.setdefault(need, []).append(f"{member.name} ({member.role.value})")
    parts = [
        f"{', '.join(names)} {one if len(names) == 1 else many}"
        for need, one, many in _HOW
        if (names := needs.get(need))
    ]
    return "; ".join(parts) or "nobody yet: invite an owner or admin on the Team page"
