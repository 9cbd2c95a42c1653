"""The workspace itself: its data terms, deletion (class C, confirmed by email) and restore."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from accounts import deletion, retention
from bot.api.deps import AnyPrincipalDep, PrincipalDep, RuntimeDep, SessionDep, TenantDep
from bot.api.responses import AUTHENTICATED, errors
from bot.lifecycle import ask_to_delete, reschedule
from storage.models import Workspace

router = APIRouter(prefix="/api/workspace", tags=["workspace"], responses=AUTHENTICATED)


class WorkspaceOut(BaseModel):
    """The workspace, its data terms and whether it is deleted."""

    id: str
    name: str
    slug: str
    retention_days: int
    retention: str
    support: str
    deleted_at: datetime | None = None
    restorable_until: datetime | None = None

    @classmethod
    def of(cls, ws: Workspace) -> WorkspaceOut:
        return cls(
            id=ws.id,
            name=ws.name,
            slug=ws.slug,
            retention_days=retention.retention_days(ws),
            retention=retention.retention_sentence(ws),
            support=retention.support_sentence(ws),
            deleted_at=ws.deleted_at,
            restorable_until=deletion.restorable_until(ws),
        )


class DeleteIn(BaseModel):
    """The owner types the workspace's name to delete it."""

    name: str = Field(max_length=200, description="the workspace's name, typed by the owner")


class Said(BaseModel):
    """What happened, in a sentence."""

    status: str
    message: str


@router.delete("", status_code=202, responses=errors(503))
async def delete_workspace(
    body: DeleteIn, principal: PrincipalDep, tenant: TenantDep, runtime: RuntimeDep
) -> Said:
    """Start deleting the workspace (owners): a single-use link is emailed to confirm it. Agency
    staff acting in a client workspace (`Levqor-Workspace`) cannot: 403
    `agency_cannot_delete_client` (the client's own owner decides; the agency can unlink it)."""
    workspace = await tenant.session.get(Workspace, tenant.workspace_id)
    assert workspace is not None
    message = await ask_to_delete(runtime, workspace, principal.member, body.name)
    return Said(status="confirmation_emailed", message=message)


@router.post("/restore")
async def restore(
    principal: AnyPrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> WorkspaceOut:
    """Restore a deleted workspace (owners, within 30 days of the deletion)."""
    workspace = principal.workspace
    try:
        workflows = await deletion.restore(session, workspace, principal.member)
    except deletion.DeletionError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    await session.commit()
    await reschedule(runtime, workflows)
    return WorkspaceOut.of(workspace)
