"""Managing API keys: create with a role and name, list with last use, revoke, rotate.

Owners and admins manage keys; only an owner may create an owner key. Rotating a key hands out a
new secret for the same identity, so it is class C: an owner confirms by typing the key's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from accounts.keys import create_key
from storage.models import ApiKey, AuditLog, Member, Role, Workspace
from storage.scope import Tenant
from storage.types import utcnow

KEY_MANAGERS = (Role.owner, Role.admin)


class KeyAdminError(ValueError):
    """A key cannot be created, revoked or rotated; the message says why."""


class KeyNotFound(LookupError):
    """No such key in this workspace."""


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its secret."""

    id: str
    name: str
    prefix: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the key still works."""
        return self.revoked_at is None


def may_manage_keys(role: Role) -> bool:
    """Whether a role may create, revoke and list API keys."""
    return role in KEY_MANAGERS


def _check(actor: Member) -> None:
    if not may_manage_keys(actor.role):
        raise KeyAdminError("Only an owner or admin can manage API keys.")


def _audit(tenant: Tenant, actor: Member, action: str, key: ApiKey) -> None:
    detail = {"name": key.name, "prefix": key.prefix}
    tenant.add(
        AuditLog(workspace_id="", actor=actor.name, action=action, subject=key.id, detail=detail)
    )


async def list_keys(tenant: Tenant) -> list[KeyInfo]:
    """Every key of the workspace, active first, newest first."""
    query = (
        select(ApiKey, Member)
        .join(Member, col(Member.id) == ApiKey.member_id)
        .where(ApiKey.workspace_id == tenant.workspace_id)
        .order_by(col(ApiKey.created_at).desc())
    )
    rows = (await tenant.session.exec(query)).all()
    keys = [
        KeyInfo(k.id, k.name, k.prefix, m.role, k.created_at, k.last_used_at, k.revoked_at)
        for k, m in rows
    ]
    return sorted(keys, key=lambda k: not k.active)


async def new_key(
    tenant: Tenant, workspace: Workspace, actor: Member, name: str, role: str
) -> tuple[str, ApiKey]:
    """A new named key acting as a new service member of `role` (caller commits)."""
    _check(actor)
    try:
        wanted = Role(role)
    except ValueError:
        raise KeyAdminError("Choose the key's role: owner, admin, operator or viewer.") from None
    if wanted == Role.owner and actor.role != Role.owner:
        raise KeyAdminError("Only an owner can create an owner key.")
    if not name.strip():
        raise KeyAdminError(
            "Name the key after what uses it (for example “Zapier” or “nightly sync”)."
        )
    if len(name.strip()) > 200:
        raise KeyAdminError("Keep the key's name under 200 characters.")
    plaintext, key = await create_key(tenant.session, workspace, wanted, name=name)
    _audit(tenant, actor, "api_key.created", key)
    return plaintext, key


async def _key(tenant: Tenant, key_id: str) -> ApiKey:
    key = await tenant.get(ApiKey, key_id)
    if key is None:
        raise KeyNotFound("No API key with that id in this workspace.")
    return key


async def revoke_key(tenant: Tenant, actor: Member, key_id: str) -> ApiKey:
    """Stop a key working (caller commits); revoking twice is harmless."""
    _check(actor)
    key = await _key(tenant, key_id)
    owner_key = await tenant.get(Member, key.member_id)
    if owner_key is not None and owner_key.role == Role.owner and actor.role != Role.owner:
        raise KeyAdminError("Only an owner can revoke an owner key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        tenant.session.add(key)
        _audit(tenant, actor, "api_key.revoked", key)
        await tenant.session.flush()
    return key


async def rotate_key(
    tenant: Tenant, workspace: Workspace, actor: Member, key_id: str, typed_name: str
) -> tuple[str, ApiKey]:
    """Class C: a new secret for the key's identity, the old one revoked (caller commits)."""
    if actor.role != Role.owner:
        raise KeyAdminError("Rotating an API key is class C: only an owner can do it.")
    key = await _key(tenant, key_id)
    if key.revoked_at is not None:
        raise KeyAdminError("That key is revoked: create a new one instead.")
    if " ".join(typed_name.split()).casefold() != " ".join(key.name.split()).casefold():
        raise KeyAdminError(f"To rotate it, type the key's name exactly: “{key.name}”.")
    member = await tenant.get(Member, key.member_id)
    if member is None:
        raise KeyNotFound("No API key with that id in this workspace.")
    key.revoked_at = utcnow()
    tenant.session.add(key)
    plaintext, fresh = await create_key(
        tenant.session, workspace, member.role, member=member, name=key.name
    )
    _audit(tenant, actor, "api_key.rotated", fresh)
    return plaintext, fresh
