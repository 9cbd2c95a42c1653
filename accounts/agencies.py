"""Agencies and their client workspaces: create, list with an overview, act in one, unlink.

A client workspace has `parent_id` = the agency's workspace. Agency staff act in it with their
agency role (the API's `Levqor-Workspace: SLUG` header); what they do there is audited in the
client's log under their own name. Unlinking ends the agency's access at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import limits
from accounts.workspaces import create_workspace, get_by_slug
from storage.cancelled_runs import AGENCY_ENDED, cancel_pending
from storage.models import (
    AuditLog,
    Member,
    Role,
    Run,
    RunStatus,
    Workflow,
    WorkflowStatus,
    Workspace,
)
from storage.types import utcnow

MANAGERS = (Role.owner, Role.admin)


class AgencyError(Exception):
    """Not allowed or not found; the message is safe to show."""


def _audit(
    session: AsyncSession, workspace_id: str, member: Member, action: str, **detail: Any
) -> None:
    session.add(
        AuditLog(
            workspace_id=workspace_id,
            actor=f"{member.name} ({member.role.value})",
            action=action,
            subject=detail.get("client"),
            detail=detail,
        )
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "client"


async def create_client(
    session: AsyncSession, agency: Workspace, member: Member, name: str, slug: str | None = None
) -> Workspace:
    """A new client workspace of `agency` (owners and admins; counted against the agency plan)."""
    if member.role not in MANAGERS:
        raise AgencyError("only an agency owner or admin can add client workspaces")
    if agency.parent_id is not None:
        raise AgencyError("a client workspace cannot have clients of its own")
    await limits.require(session, agency.id, "client")
    wanted = slug or _slug(name)
    if await get_by_slug(session, wanted) is not None:
        raise AgencyError(f"the workspace address {wanted!r} is taken: choose another slug")
    try:
        client = await create_workspace(session, wanted, name.strip() or wanted, parent=agency)
    except ValueError as exc:
        raise AgencyError(str(exc)) from None
    _audit(session, agency.id, member, "client.created", client=client.slug)
    _audit(session, client.id, member, "client.created", client=client.slug, agency=agency.slug)
    return client


async def client_of(session: AsyncSession, agency: Workspace, slug: str) -> Workspace:
    """The agency's client workspace with this slug, or AgencyError (unknown or not linked)."""
    client = await get_by_slug(session, slug)
    if client is None or client.parent_id != agency.id:
        raise AgencyError(f"{slug!r} is not a client workspace of {agency.name}")
    return client


async def unlink(session: AsyncSession, agency: Workspace, member: Member, slug: str) -> Workspace:
    """End the agency's access to a client (its data stays with the client)."""
    if member.role not in MANAGERS:
        raise AgencyError("only an agency owner or admin can unlink a client")
    client = await client_of(session, agency, slug)
    client.parent_id = None
    staff = select(Member.id).where(Member.workspace_id == agency.id)
    cancelled = await cancel_pending(session, client.id, AGENCY_ENDED, requested_by=staff)
    await session.exec(
        update(Member)
        .where(col(Member.workspace_id) == agency.id, col(Member.acting_workspace_id) == client.id)
        .values(acting_workspace_id=None)
    )
    _audit(session, agency.id, member, "client.unlinked", client=client.slug)
    _audit(
        session,
        client.id,
        member,
        "client.unlinked",
        client=client.slug,
        agency=agency.slug,
        runs_cancelled=cancelled,
    )
    return client


async def overview(session: AsyncSession, agency: Workspace) -> list[dict[str, Any]]:
    """Each client: its workflows (active of all), failed runs this week, runs this month."""
    rows = []
    clients = (
        select(Workspace).where(Workspace.parent_id == agency.id).order_by(col(Workspace.name))
    )
    week, month = utcnow() - timedelta(days=7), utcnow() - timedelta(days=30)
    for client in (await session.exec(clients)).all():

        async def count(query: Any) -> int:
            return int(
                (await session.exec(select(func.count()).select_from(query.subquery()))).one()
            )

        flows = select(Workflow.id).where(Workflow.workspace_id == client.id)
        active = flows.where(Workflow.status == WorkflowStatus.active)
        runs = select(Run.id).where(Run.workspace_id == client.id, col(Run.created_at) >= month)
        failed = select(Run.id).where(
            Run.workspace_id == client.id,
            Run.status == RunStatus.failed,
            col(Run.created_at) >= week,
        )
        rows.append(
            {
                "slug": client.slug,
                "name": client.name,
                "workflows": await count(flows),
                "active_workflows": await count(active),
                "failed_runs_7d": await count(failed),
                "runs_30d": await count(runs),
            }
        )
    return rows
