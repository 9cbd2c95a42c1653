"""Workspace routes: its settings, its members (change a role, remove), its API keys."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from accounts import key_admin, members
from accounts.settings import SettingsChange, SettingsError, WorkspaceSettings, update_settings
from bot.api.deps import PrincipalDep, TenantDep
from bot.api.responses import AUTHENTICATED
from storage.models import Member
from workflows import errors

router = APIRouter(tags=["workspace"], responses=AUTHENTICATED)


@router.get("/api/workspace")
async def read_workspace(principal: PrincipalDep) -> WorkspaceSettings:
    """The workspace's settings: name, timezone, approvals, failure notices, approval chasing."""
    return WorkspaceSettings.of(principal.workspace)


@router.patch("/api/workspace")
async def change_workspace(
    change: SettingsChange, principal: PrincipalDep, tenant: TenantDep
) -> WorkspaceSettings:
    """Change the fields sent (owners and admins; self-approval by owners only)."""
    try:
        updated = await update_settings(tenant, principal.workspace, principal.member, change)
    except SettingsError as exc:
        raise errors.Forbidden(str(exc)) from None
    await tenant.session.commit()
    return updated


class MemberOut(BaseModel):
    """A member of the workspace."""

    id: str
    name: str
    email: str | None
    role: str

    @classmethod
    def of(cls, row: Member) -> MemberOut:
        """From the table row."""
        return cls(id=row.id, name=row.name, email=row.email, role=row.role.value)


class RoleChange(BaseModel):
    """A member's new role."""

    role: str = Field(description="owner, admin, operator or viewer")


@router.get("/api/members")
async def list_members(tenant: TenantDep) -> list[MemberOut]:
    """Everyone in the workspace (people and API-key identities) with their roles."""
    rows = await tenant.all(tenant.select(Member).order_by(Member.created_at))  # type: ignore[arg-type]
    return [MemberOut.of(m) for m in rows]


def _member_error(exc: Exception) -> errors.DomainError:
    if isinstance(exc, members.MemberNotFound):
        return errors.NotFound(str(exc))
    if isinstance(exc, members.LastOwner):
        return errors.Conflict(str(exc))
    return errors.Forbidden(str(exc))


@router.patch("/api/members/{member_id}")
async def change_member(
    member_id: str, body: RoleChange, principal: PrincipalDep, tenant: TenantDep
) -> MemberOut:
    """Give a member another role; the last owner keeps theirs (409)."""
    try:
        member = await members.change_role(tenant, principal.member, member_id, body.role)
    except (members.MemberError, members.MemberNotFound) as exc:
        raise _member_error(exc) from None
    await tenant.session.commit()
    return MemberOut.of(member)


@router.delete("/api/members/{member_id}", status_code=204)
async def remove_member(member_id: str, principal: PrincipalDep, tenant: TenantDep) -> Response:
    """Remove a member: signed out, sign-in and keys gone; the last owner stays (409)."""
    try:
        await members.remove_member(tenant, principal.member, member_id)
    except (members.MemberError, members.MemberNotFound) as exc:
        raise _member_error(exc) from None
    await tenant.session.commit()
    return Response(status_code=204)


class KeyOut(BaseModel):
    """An API key as listed (its secret is shown only when created)."""

    id: str
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, info: key_admin.KeyInfo) -> KeyOut:
        """From a listed key."""
        return cls(
            id=info.id,
            name=info.name,
            prefix=info.prefix,
            role=info.role.value,
            created_at=info.created_at,
            last_used_at=info.last_used_at,
            revoked_at=info.revoked_at,
        )


class KeyCreate(BaseModel):
    """A key to create."""

    name: str = Field(description="what uses it, e.g. 'Zapier'")
    role: str = Field(default="operator", description="owner, admin, operator or viewer")


class KeyCreated(KeyOut):
    """A new key with its secret: store it now, it is never shown again."""

    key: str


class KeyRotate(BaseModel):
    """Rotating is class C: type the key's name to confirm."""

    confirm_name: str


def _key_error(exc: Exception) -> errors.DomainError:
    if isinstance(exc, key_admin.KeyNotFound):
        return errors.NotFound(str(exc))
    return errors.Forbidden(str(exc))


async def _created(tenant: TenantDep, plaintext: str, key_id: str) -> KeyCreated:
    info = next(k for k in await key_admin.list_keys(tenant) if k.id == key_id)
    return KeyCreated(key=plaintext, **KeyOut.of(info).model_dump())


@router.get("/api/keys")
async def list_keys(tenant: TenantDep, principal: PrincipalDep) -> list[KeyOut]:
    """The workspace's API keys with their last use (owners and admins)."""
    if not key_admin.may_manage_keys(principal.member.role):
        raise errors.Forbidden("Only an owner or admin can see the workspace's API keys.")
    return [KeyOut.of(k) for k in await key_admin.list_keys(tenant)]


@router.post("/api/keys", status_code=201)
async def create_key(body: KeyCreate, tenant: TenantDep, principal: PrincipalDep) -> KeyCreated:
    """A new key acting with `role`; the answer carries its secret, this once only."""
    try:
        plaintext, key = await key_admin.new_key(
            tenant, principal.workspace, principal.member, body.name, body.role
        )
    except key_admin.KeyAdminError as exc:
        raise _key_error(exc) from None
    await tenant.session.commit()
    return await _created(tenant, plaintext, key.id)


@router.delete("/api/keys/{key_id}", status_code=204)
async def revoke_key(key_id: str, tenant: TenantDep, principal: PrincipalDep) -> Response:
    """Revoke a key: it stops working at once."""
    try:
        await key_admin.revoke_key(tenant, principal.member, key_id)
    except (key_admin.KeyAdminError, key_admin.KeyNotFound) as exc:
        raise _key_error(exc) from None
    await tenant.session.commit()
    return Response(status_code=204)


@router.post("/api/keys/{key_id}/rotate", status_code=201)
async def rotate_key(
    key_id: str, body: KeyRotate, tenant: TenantDep, principal: PrincipalDep
) -> KeyCreated:
    """Class C: a new secret for the same identity; the old key stops working. Owners only."""
    try:
        plaintext, key = await key_admin.rotate_key(
            tenant, principal.workspace, principal.member, key_id, body.confirm_name
        )
    except (key_admin.KeyAdminError, key_admin.KeyNotFound) as exc:
        raise _key_error(exc) from None
    await tenant.session.commit()
    return await _created(tenant, plaintext, key.id)
