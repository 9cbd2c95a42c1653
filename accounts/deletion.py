"""Deleting a workspace (class C): an owner types its name, then confirms from an emailed link.

Confirmed, the workspace is hidden (its keys and sessions stop working except to restore it),
its schedules stop, its queued and waiting runs are cancelled ("the workspace was deleted"; the
engine refuses to start a run of a deleted workspace too), and for `RESTORE_DAYS` an owner can
restore it (schedules resume; cancelled runs stay cancelled); after that the retention purge
erases it everywhere (`accounts.purge`). The link is a signed token naming the workspace,
the owner and the moment they asked: it works for an hour, once (asking again, confirming or
restoring changes that moment, so an older link no longer matches).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.client_rights import require_own_workspace
from accounts.retention import RESTORE_DAYS
from storage.cancelled_runs import WORKSPACE_DELETED, cancel_pending
from storage.config import Settings
from storage.models import AuditLog, Member, Role, Workflow, WorkflowStatus, Workspace
from storage.types import utcnow

LINK_MINUTES = 60


class DeletionError(Exception):
    """Why a deletion or restore was refused, in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class DeletionRequest:
    """An owner's request: the link to email them."""

    link: str
    to: str
    minutes: int = LINK_MINUTES


def restorable_until(workspace: Workspace) -> datetime | None:
    """Until when a deleted workspace can be restored (None: not deleted)."""
    if workspace.deleted_at is None:
        return None
    return workspace.deleted_at + timedelta(days=RESTORE_DAYS)


def _sign(settings: Settings, payload: str) -> str:
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, f"workspace-delete:{payload}".encode(), hashlib.sha256).hexdigest()


def confirm_token(settings: Settings, workspace: Workspace, member: Member) -> str:
    """The token of the link that confirms `member`'s pending request to delete `workspace`."""
    assert workspace.deletion_requested_at is not None
    stamp = int(workspace.deletion_requested_at.timestamp() * 1000)
    payload = f"{workspace.id}.{member.id}.{stamp}"
    raw = f"{payload}.{_sign(settings, payload)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _require_owner(member: Member) -> None:
    if member.role != Role.owner:
        raise DeletionError("only an owner can delete or restore the workspace", 403)


async def request_deletion(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    member: Member,
    typed_name: str,
    *,
    now: datetime | None = None,
) -> DeletionRequest:
    """Check the owner typed the workspace's name; start the request and return its link.
    A client workspace's agency staff cannot (`accounts.client_rights`)."""
    require_own_workspace("delete", workspace, member)
    _require_owner(member)
    if workspace.deleted_at is not None:
        raise DeletionError("this workspace is already deleted", 409)
    if typed_name.strip() != workspace.name.strip():
        raise DeletionError(
            f"type the workspace's name exactly as it is shown ({workspace.name}) to delete it"
        )
    if not member.email:
        raise DeletionError("the confirmation link is emailed: add an email address first")
    workspace.deletion_requested_at = now or utcnow()
    session.add(workspace)
    _audit(session, workspace, member, "workspace.deletion_requested")
    token = confirm_token(settings, workspace, member)
    link = f"{settings.public_url.rstrip('/')}/workspace/delete/{token}"
    return DeletionRequest(link=link, to=member.email)


async def peek(
    session: AsyncSession, settings: Settings, token: str, *, now: datetime | None = None
) -> tuple[Workspace, Member]:
    """The workspace and owner a valid, unused, unexpired link confirms (DeletionError if not)."""
    gone = DeletionError("this link is not valid any more: ask again from the account page", 410)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        workspace_id, member_id, stamp, signature = raw.split(".")
    except (ValueError, UnicodeDecodeError):
        raise gone from None
    if not hmac.compare_digest(signature, _sign(settings, f"{workspace_id}.{member_id}.{stamp}")):
        raise gone
    workspace = await session.get(Workspace, workspace_id)
    member = await session.get(Member, member_id)
    if workspace is None or member is None or member.workspace_id != workspace.id:
        raise gone
    asked = workspace.deletion_requested_at
    if workspace.deleted_at is not None or asked is None:
        raise gone
    if int(asked.timestamp() * 1000) != int(stamp):
        raise gone
    if (now or utcnow()) > asked + timedelta(minutes=LINK_MINUTES):
        raise DeletionError("this link has expired: ask again from the account page", 410)
    _require_owner(member)
    return workspace, member


async def confirm_deletion(
    session: AsyncSession, settings: Settings, token: str, *, now: datetime | None = None
) -> tuple[Workspace, list[Workflow]]:
    """Delete the workspace the link names; returns it and the workflows to unschedule."""
    workspace, member = await peek(session, settings, token, now=now)
    workspace.deleted_at = now or utcnow()
    workspace.deletion_requested_at = None
    session.add(workspace)
    await cancel_pending(session, workspace.id, WORKSPACE_DELETED)
    _audit(session, workspace, member, "workspace.deleted")
    return workspace, await _active_workflows(session, workspace)


async def restore(
    session: AsyncSession, workspace: Workspace, member: Member, *, now: datetime | None = None
) -> list[Workflow]:
    """Undo a deletion within `RESTORE_DAYS`; returns the workflows to schedule again (runs
    cancelled by the deletion stay cancelled)."""
    _require_owner(member)
    until = restorable_until(workspace)
    if until is None:
        raise DeletionError("this workspace is not deleted", 409)
    if (now or utcnow()) > until:
        raise DeletionError("this workspace can no longer be restored", 410)
    workspace.deleted_at = None
    workspace.deletion_requested_at = None
    session.add(workspace)
    _audit(session, workspace, member, "workspace.restored")
    return await _active_workflows(session, workspace)


async def _active_workflows(session: AsyncSession, workspace: Workspace) -> list[Workflow]:
    query = select(Workflow).where(
        Workflow.workspace_id == workspace.id, col(Workflow.status) == WorkflowStatus.active
    )
    return list((await session.exec(query)).all())


def _audit(session: AsyncSession, workspace: Workspace, member: Member, action: str) -> None:
    session.add(
        AuditLog(
            workspace_id=workspace.id, actor=member.name, action=action, subject=workspace.name
        )
    )
