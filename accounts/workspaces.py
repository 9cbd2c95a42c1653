"""Workspaces (tenants) and their members; agencies own client workspaces."""

from __future__ import annotations

import re

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Role, Workspace

DEFAULT_SLUG = "default"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


async def get_by_slug(session: AsyncSession, slug: str) -> Workspace | None:
    """The workspace with this slug, if any."""
    return (await session.exec(select(Workspace).where(Workspace.slug == slug))).first()


async def create_workspace(
    session: AsyncSession, slug: str, name: str | None = None, *, parent: Workspace | None = None
) -> Workspace:
    """A new workspace (a client of `parent` when an agency creates it)."""
    if not _SLUG.match(slug):
        raise ValueError("a workspace slug is lower-case letters, digits and dashes")
    workspace = Workspace(slug=slug, name=name or slug, parent_id=parent.id if parent else None)
    session.add(workspace)
    await session.flush()
    return workspace


async def ensure_default(session: AsyncSession) -> Workspace:
    """The embedded default's `default` workspace, created on first use."""
    return await get_by_slug(session, DEFAULT_SLUG) or await create_workspace(
        session, DEFAULT_SLUG, "Default workspace"
    )


async def client_workspaces(session: AsyncSession, agency: Workspace) -> list[Workspace]:
    """The client workspaces an agency workspace owns."""
    query = select(Workspace).where(Workspace.parent_id == agency.id)
    return list((await session.exec(query)).all())


async def add_member(
    session: AsyncSession,
    workspace: Workspace,
    name: str,
    role: Role,
    *,
    email: str | None = None,
    slack_user_id: str | None = None,
) -> Member:
    """Add a member with a role."""
    member = Member(
        workspace_id=workspace.id,
        name=name,
        role=role,
        email=email.lower() if email else None,
        slack_user_id=slack_user_id,
    )
    session.add(member)
    await session.flush()
    return member
