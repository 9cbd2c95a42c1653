"""Members: change a role, remove someone. A workspace always keeps at least one owner.

Owners and admins manage members; only an owner may make, unmake or remove an owner. Removing a
member signs them out everywhere, deletes their sign-in and API keys, and leaves an audit entry.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, delete, select

from storage.models import (
    ApiKey,
    ApprovalLink,
    AuditLog,
    Member,
    Role,
    WebInvite,
    WebLogin,
    WebSession,
)
from storage.scope import Tenant

MANAGERS = (Role.owner, Role.admin)


class MemberError(ValueError):
    """A change to a member is refused; the message says why."""


class LastOwner(MemberError):
    """The change would leave the workspace without an owner."""


class MemberNotFound(LookupError):
    """No such member in this workspace."""


def may_manage(role: Role) -> bool:
    """Whether a role may change roles and remove members."""
    return role in MANAGERS


async def _owners(tenant: Tenant) -> int:
    return await tenant.count(tenant.select(Member).where(Member.role == Role.owner))


async def _target(tenant: Tenant, actor: Member, member_id: str) -> Member:
    if not may_manage(actor.role):
        raise MemberError("Only an owner or admin can change roles or remove people.")
    member = await tenant.get(Member, member_id)
    if member is None:
        raise MemberNotFound("That person is not a member of this workspace.")
    if member.role == Role.owner and actor.role != Role.owner:
        raise MemberError("Only an owner can change or remove another owner.")
    return member


def _audit(tenant: Tenant, actor: Member, action: str, member: Member, **detail: str) -> None:
    tenant.add(
        AuditLog(workspace_id="", actor=actor.name, action=action, subject=member.id, detail=detail)
    )


async def change_role(tenant: Tenant, actor: Member, member_id: str, role: str) -> Member:
    """Give a member another role (caller commits); the last owner keeps theirs."""
    try:
        new_role = Role(role)
    except ValueError:
        raise MemberError("Choose a role: owner, admin, operator or viewer.") from None
    member = await _target(tenant, actor, member_id)
    if new_role == Role.owner and actor.role != Role.owner:
        raise MemberError("Only an owner can make someone an owner.")
    if member.role == new_role:
        return member
    if member.role == Role.owner and await _owners(tenant) <= 1:
        raise LastOwner("This is the workspace's only owner: make someone else an owner first.")
    _audit(tenant, actor, "member.role_changed", member, old=member.role.value, new=new_role.value)
    member.role = new_role
    tenant.session.add(member)
    await tenant.session.flush()
    return member


async def remove_member(tenant: Tenant, actor: Member, member_id: str) -> Member:
    """Remove a member (caller commits): signed out, sign-in and API keys gone."""
    member = await _target(tenant, actor, member_id)
    if member.role == Role.owner and await _owners(tenant) <= 1:
        raise LastOwner(
            "This is the workspace's only owner: make someone else an owner before removing them."
        )
    session = tenant.session
    logins = select(WebLogin.id).where(WebLogin.member_id == member.id)
    await session.exec(delete(WebSession).where(col(WebSession.login_id).in_(logins)))
    await session.exec(delete(WebLogin).where(col(WebLogin.member_id) == member.id))
    await session.exec(delete(ApprovalLink).where(col(ApprovalLink.member_id) == member.id))
    await session.exec(delete(ApiKey).where(col(ApiKey.member_id) == member.id))
    for column in (WebInvite.invited_by, WebInvite.accepted_by):
        await session.exec(update(WebInvite).where(col(column) == member.id).values({column: None}))
    _audit(
        tenant, actor, "member.removed", member, email=member.email or "", role=member.role.value
    )
    await session.delete(member)
    await session.flush()
    return member
