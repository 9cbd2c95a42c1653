"""Exports: the workspace's data (owners; Growth and up), or one contact's (subject access)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from accounts import export, export_recovery, limits, retention
from bot.api.deps import PrincipalDep, RuntimeDep, SessionDep, TenantDep
from bot.api.responses import AUTHENTICATED, errors
from bot.lifecycle import build_in_background
from storage.config import Settings
from storage.models import ExportJob, Role

router = APIRouter(prefix="/api/export", tags=["export"], responses=AUTHENTICATED)
files = APIRouter(include_in_schema=False)


class ExportIn(BaseModel):
    """Nothing for the whole workspace; a contact's email for what is held about them."""

    contact: str | None = Field(default=None, max_length=320)


class ExportOut(BaseModel):
    """An export's progress and, once built, its download link (until it expires)."""

    id: str
    kind: Literal["workspace", "contact"]
    status: Literal["queued", "running", "done", "failed"]
    progress: int
    error: str | None = None
    download_url: str | None = None
    expires_at: datetime | None = None

    @classmethod
    def of(cls, job: ExportJob, settings: Settings) -> ExportOut:
        path = export.download_path(settings, job)
        return cls(
            id=job.id,
            kind="contact" if job.kind == "contact" else "workspace",
            status=job.status,
            progress=job.progress,
            error=job.error,
            download_url=settings.public_url.rstrip("/") + path if path else None,
            expires_at=job.expires_at,
        )


def allowed(principal_role: Role, workspace: object, contact: str | None) -> None:
    """Owners export the workspace; owners and admins a contact's data (403 otherwise); Growth
    plans and up (402 with the reason `plan_excludes_exports`: the role is fine, the plan not)."""
    if contact is None and principal_role != Role.owner:
        raise HTTPException(403, "only an owner can export the whole workspace")
    if principal_role not in (Role.owner, Role.admin):
        raise HTTPException(403, "only an owner or an admin can export a contact's data")
    if not retention.can_export(workspace):
        raise limits.OverLimit(
            limits.Refusal("plan_excludes_exports", "Exports come with the Growth plan and up.")
        )


@router.post("", status_code=202)
async def start(
    principal: PrincipalDep, tenant: TenantDep, runtime: RuntimeDep, body: ExportIn | None = None
) -> ExportOut:
    """Start building an export archive (JSON + CSV) in the background; poll it by its id."""
    contact = body.contact if body else None
    planned = await retention.with_plan(tenant.session, principal.workspace)
    allowed(principal.member.role, planned, contact)
    try:
        job = await export.start_export(
            tenant.session, tenant.workspace_id, principal.member.id, contact=contact
        )
    except export.ExportError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    await tenant.session.commit()
    build_in_background(runtime, job.id)
    return ExportOut.of(job, runtime.settings)


@router.get("/{export_id}")
async def progress(export_id: str, tenant: TenantDep, runtime: RuntimeDep) -> ExportOut:
    """An export's progress, and its download link once built."""
    job = await tenant.get(ExportJob, export_id)
    if job is None:
        raise HTTPException(404, "no such export in this workspace")
    if export_recovery.settle(runtime.settings, job):  # its build was killed midway
        await tenant.session.commit()
    return ExportOut.of(job, runtime.settings)


@files.get("/exports/{export_id}/{token}/levqor-export.zip", responses=errors(404))
async def download(
    request: Request, export_id: str, token: str, session: SessionDep, runtime: RuntimeDep
) -> FileResponse:
    """The archive, while its link works (the link is the credential, like a signed URL)."""
    try:
        path = await export.download(session, runtime.settings, export_id, token)
    except export.ExportError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return FileResponse(path, media_type="application/zip", filename="levqor-export.zip")
