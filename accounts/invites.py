"""Workspace invites: an owner or admin invites an email with a role; the link adds them.

The link carries a random token; the table keeps only its SHA-256 (like `WebSession`). An invite is
single use, expires after `INVITE_DAYS`, can be revoked, and re-inviting an address replaces its
pending invite. A web login belongs to exactly one workspace (`WebLogin.workspace_id`), so an
address that already has a login elsewhere cannot join a second workspace: `LoginElsewhere` says so.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.web_auth import (
    EMAIL_PATTERN,
    SignUpError,
    check_sign_up,
    hash_password,
    sign_in,
)
from accounts.workspaces import add_member
from storage.models import AuditLog, Member, Role, WebInvite, WebLogin, Workspace
from storage.scope import Tenant
from storage.types import utcnow

INVITE_DAYS = 7
INVITERS = (Role.owner, Role.admin)


class InviteError(ValueError):
    """An invite cannot be created or revoked; the message says why."""


class InviteGone(LookupError):
    """The link is unknown, expired, used or revoked (`reason` says which; `message` in words)."""

    MESSAGES = {
        "unknown": "This invite link is not valid. Check that you copied all of it.",
        "expired": "This invite has expired. Ask whoever invited you for a new one.",
        "used": "This invite has already been used. Sign in instead.",
        "revoked": "This invite was withdrawn. Ask whoever invited you for a new one.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


class LoginElsewhere(ValueError):
    """The invitee's email already signs in to another workspace (one login, one workspace)."""


@dataclass(frozen=True)
class NewInvite:
    """A created invite and its token (shown once, never stored)."""

    invite: WebInvite
    token: str


@dataclass(frozen=True)
class Joined:
    """An accepted invite: the login to open a session for, and the workspace joined."""

    login: WebLogin
    workspace: Workspace


@dataclass(frozen=True)
class OpenInvite:
    """A pending invite found by its token, with its workspace and any login the email has."""

    invite: WebInvite
    workspace: Workspace
    login: WebLogin | None


def token_hash(token: str) -> str:
    """What the table stores for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(public_url: str, token: str) -> str:
    """The link an invitee opens."""
    return f"{public_url.rstrip('/')}/invite/{token}"


def may_invite(role: Role) -> bool:
    """Whether a role may invite people (and revoke invites)."""
    return role in INVITERS


def grantable_roles(role: Role) -> list[Role]:
    """The roles this role may invite with: only an owner may invite an owner."""
    if not may_invite(role):
        return []
    return [r for r in Role if r != Role.owner or role == Role.owner]


def _audit(tenant: Tenant, actor: Member, action: str, subject: str, **detail: Any) -> None:
    tenant.add(
        AuditLog(workspace_id="", actor=actor.name, action=action, subject=subject, detail=detail)
    )


def _check_may_grant(actor: Member, role: Role) -> None:
    if not may_invite(actor.role):
        raise InviteError("Only an owner or admin can invite people or withdraw invites.")
    if role not in grantable_roles(actor.role):
        raise InviteError("Only an owner can invite another owner.")


def _pending(query: Any) -> Any:
    return query.where(
        col(WebInvite.accepted_at).is_(None),
        col(WebInvite.revoked_at).is_(None),
        col(WebInvite.expires_at) > utcnow(),
    )


async def create_invite(tenant: Tenant, inviter: Member, email: str, role: Role | str) -> NewInvite:
    """Invite `email` with `role`, replacing its pending invite (caller commits)."""
    try:
        role = Role(role)
    except ValueError:
        raise InviteError(f"There is no role called {role!r}.") from None
    _check_may_grant(inviter, role)
    address = email.strip().lower()
    if not EMAIL_PATTERN.match(address) or len(address) > 320:
        raise InviteError("Enter an email address like someone@example.com.")
    member = await tenant.first(tenant.select(Member).where(Member.email == address))
    if member is not None:
        raise InviteError(f"{address} is already a member of this workspace.")
    now = utcnow()
    replaced = await tenant.all(
        _pending(tenant.select(WebInvite)).where(WebInvite.email == address)
    )
    for old in replaced:
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    invite = tenant.add(
        WebInvite(
            workspace_id="",
            email=address,
            role=role,
            token_hash=token_hash(token),
            invited_by=inviter.id,
            created_at=now,
            expires_at=now + timedelta(days=INVITE_DAYS),
        )
    )
    _audit(tenant, inviter, "invite.created", invite.id, email=address, role=role.value)
    await tenant.session.flush()
    return NewInvite(invite, token)


async def team_members(tenant: Tenant) -> list[Member]:
    """The workspace's members, most powerful role first, then by name."""
    order = {role: rank for rank, role in enumerate(Role)}
    members = await tenant.all(tenant.select(Member))
    return sorted(members, key=lambda m: (order[m.role], m.name.lower()))


async def pending_invites(tenant: Tenant) -> list[WebInvite]:
    """Invites not yet accepted, revoked or expired, newest first."""
    query = _pending(tenant.select(WebInvite)).order_by(col(WebInvite.created_at).desc())
    return list(await tenant.all(query))


async def revoke_invite(tenant: Tenant, actor: Member, invite_id: str) -> WebInvite:
    """Withdraw a pending invite of this workspace (caller commits)."""
    invite = await tenant.get(WebInvite, invite_id)
    if invite is None or invite.accepted_at is not None or invite.revoked_at is not None:
        raise InviteError("That invite is not pending any more.")
    _check_may_grant(actor, invite.role)
    invite.revoked_at = utcnow()
    _audit(tenant, actor, "invite.revoked", invite.id, email=invite.email)
    await tenant.session.flush()
    return invite


async def open_invite(session: AsyncSession, token: str) -> OpenInvite:
    """The pending invite behind a link, or `InviteGone` saying why not."""
    found = (
        await session.exec(
            select(WebInvite, Workspace)
            .join(Workspace, col(Workspace.id) == WebInvite.workspace_id)
            .where(WebInvite.token_hash == token_hash(token))
        )
    ).first()
    if found is None:
        raise InviteGone("unknown")
    invite, workspace = found
    if invite.accepted_at is not None:
        raise InviteGone("used")
    if invite.revoked_at is not None:
        raise InviteGone("revoked")
    if invite.expires_at <= utcnow():
        raise InviteGone("expired")
    query = select(WebLogin).where(WebLogin.email == invite.email)
    return OpenInvite(invite, workspace, (await session.exec(query)).first())


async def _claim(session: AsyncSession, invite: WebInvite, member_id: str) -> None:
    """Mark the invite used, exactly once even when two browsers accept at the same time."""
    now = utcnow()
    connection = await session.connection()
    claimed = await connection.execute(
        update(WebInvite)
        .where(
            col(WebInvite.id) == invite.id,
            col(WebInvite.accepted_at).is_(None),
            col(WebInvite.revoked_at).is_(None),
            col(WebInvite.expires_at) > now,
        )
        .values(accepted_at=now, accepted_by=member_id)
    )
    if claimed.rowcount != 1:
        raise InviteGone("used")


async def accept_invite(session: AsyncSession, token: str, *, name: str, password: str) -> Joined:
    """Join the invite's workspace with its role (the login to open a session for, the workspace).

    Someone new chooses a name and password (their email is the invite's). Someone whose email
    already has a login proves it with their password: if that login is in this workspace they
    are simply signed in; if it is in another, `LoginElsewhere` (a login has one workspace).
    The caller commits.
    """
    found = await open_invite(session, token)
    invite, workspace = found.invite, found.workspace
    if found.login is not None:
        login = await sign_in(session, invite.email, password)
        if login is None:
            raise SignUpError("password", "That password does not match the login for this email.")
        if login.workspace_id != workspace.id:
            home = await session.get(Workspace, login.workspace_id)
            raise LoginElsewhere(
                f"{invite.email} already signs in to the workspace “{home.name if home else '?'}”."
                " In this version of Levqor a web login belongs to one workspace only, so it cannot"
                f" also join “{workspace.name}”. Ask whoever invited you to invite another address."
            )
        await _claim(session, invite, login.member_id)
        return Joined(login, workspace)
    check_sign_up(workspace.name, name, invite.email, password)
    taken = select(Member).where(Member.workspace_id == workspace.id, Member.email == invite.email)
    if (await session.exec(taken)).first() is not None:
        raise InviteGone("used")
    member = await add_member(session, workspace, name.strip(), invite.role, email=invite.email)
    await _claim(session, invite, member.id)
    login = WebLogin(
        workspace_id=workspace.id,
        member_id=member.id,
        email=invite.email,
        password_hash=hash_password(password),
    )
    session.add(login)
    tenant = Tenant(session, workspace.id)
    _audit(tenant, member, "invite.accepted", invite.id, email=invite.email, role=invite.role.value)
    await session.flush()
    return Joined(login, workspace)
