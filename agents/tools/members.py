"""Who is speaking, and who could approve a class (for replies that name people)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Role
from workflows import policy
from workflows.errors import Forbidden


async def load_member(session: AsyncSession, workspace_id: str, member_id: str) -> Member:
    """The speaking member, or Forbidden when they are not in this workspace."""
    member = await session.get(Member, member_id)
    if member is None or member.workspace_id != workspace_id:
        raise Forbidden("you are not a member of this workspace")
    return member


async def approvers(session: AsyncSession, workspace_id: str, approval_class: str) -> list[str]:
    """Names (with roles) of the members whose role may approve this class."""
    rows = await session.exec(select(Member).where(Member.workspace_id == workspace_id))
    order = list(Role)
    members = sorted(rows.all(), key=lambda m: (order.index(m.role), m.name))
    return [
        f"{m.name} ({m.role.value})" for m in members if policy.may_approve(approval_class, m.role)
    ]
