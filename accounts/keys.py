"""API keys: shown once, stored as SHA-256 hashes, each acting as one member."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.workspaces import add_member
from storage.models import ApiKey, Member, Role, Workspace
from storage.types import utcnow

PREFIX = "lq_"
LAST_USE_GRANULARITY = timedelta(minutes=1)  # `last_used_at` is written at most this often


@dataclass
class Principal:
    """Who an authenticated request acts as."""

    workspace: Workspace
    member: Member
    touched: bool = False  # the key's last use was just updated: the caller commits it


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(
    session: AsyncSession,
    workspace: Workspace,
    role: Role,
    *,
    member: Member | None = None,
    name: str = "",
) -> tuple[str, ApiKey]:
    """A new key (plaintext returned once) for `member`, or for a new service member of `role`."""
    label = name.strip() or f"API key ({role.value})"
    if member is None:
        member = await add_member(session, workspace, label, role)
    plaintext = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        workspace_id=workspace.id,
        member_id=member.id,
        prefix=plaintext[:10],
        key_hash=hash_key(plaintext),
        name=label,
    )
    session.add(key)
    await session.flush()
    return plaintext, key


async def authenticate(session: AsyncSession, plaintext: str) -> Principal | None:
    """The principal behind a key, or None for an unknown or revoked key."""
    if not plaintext.startswith(PREFIX):
        return None
    key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext)))).first()
    if key is None or key.revoked_at is not None:
        return None
    member = await session.get(Member, key.member_id)
    workspace = await session.get(Workspace, key.workspace_id)
    if member is None or workspace is None:
        return None
    now = utcnow()
    touched = key.last_used_at is None or now - key.last_used_at >= LAST_USE_GRANULARITY
    if touched:
        key.last_used_at = now
        session.add(key)
    return Principal(workspace, member, touched)
