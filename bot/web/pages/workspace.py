"""The workspace page: how long data is kept, and deleting (class C) or restoring the workspace.

The emailed link is the credential for confirming (no sign-in needed); opening it changes
nothing (mail scanners open links too), its page's button deletes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from accounts import client_rights, deletion, export, export_recovery, limits, retention
from accounts.client_rights import ClientOwnersOnly
from accounts.web_auth import WebUser
from bot.api.deps import RuntimeDep, SessionDep
from bot.lifecycle import ask_to_delete, build_in_background, reschedule
from bot.web.auth import (
    CsrfChecked,
    OptionalUser,
    PageContext,
    PageUser,
    is_secure,
    pre_auth_csrf,
    set_csrf_cookie,
)
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.models import ExportJob, Role

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/workspace")
async def workspace_page(request: Request, ctx: PageContext) -> HTMLResponse:
    """Data terms and, for owners, the delete form."""
    user = ctx.user
    ws = await retention.with_plan(ctx.tenant.session, user.workspace)
    return render(
        request,
        "workspace/index.html",
        user,
        title="Workspace",
        retention=retention.retention_sentence(ws),
        support=retention.support_sentence(ws),
        restore_days=retention.RESTORE_DAYS,
        is_owner=user.member.role == Role.owner and user.home is None,
        can_export=retention.can_export(ws),
        client_owner_decides=client_rights.sentence("delete", user.workspace.name)
        if user.home is not None
        else None,
    )


@router.post("/workspace/export", dependencies=[CsrfChecked])
async def start_export(ctx: PageContext) -> Response:
    """Start exporting the workspace's data (owners), then watch its progress."""
    user = ctx.user
    if user.home is not None:  # an agency member working in a client: its owner decides
        return flash_redirect(
            "/workspace", client_rights.sentence("export", user.workspace.name), "error"
        )
    if user.member.role != Role.owner:
        return flash_redirect("/workspace", "Only an owner can export the workspace.", "error")
    if not retention.can_export(await retention.with_plan(ctx.tenant.session, user.workspace)):
        words = "Exports come with the Growth plan and up."
        # the plan-limit page, with the way to upgrade
        raise limits.OverLimit(limits.Refusal("plan_excludes_exports", words))
    job = await export.start_export(ctx.tenant.session, user.workspace.id, user.member.id)
    await ctx.tenant.session.commit()
    build_in_background(ctx.runtime, job.id)
    return flash_redirect(f"/workspace/export/{job.id}", "Your export is being prepared.")


@router.get("/workspace/export/{export_id}")
async def export_page(request: Request, export_id: str, ctx: PageContext) -> Response:
    """An export's progress (the page refreshes itself), then its download link."""
    job = await ctx.tenant.get(ExportJob, export_id)
    if job is None:
        raise HTTPException(404, "no such export")
    if export_recovery.settle(ctx.runtime.settings, job):  # its build was killed midway
        await ctx.tenant.session.commit()
    return render(
        request,
        "workspace/export.html",
        ctx.user,
        title="Export",
        job=job,
        download=export.download_path(ctx.runtime.settings, job),
    )


@router.post("/workspace/delete", dependencies=[CsrfChecked])
async def ask(request: Request, user: PageUser, runtime: RuntimeDep, name: Text = "") -> Response:
    """Check the typed name and email the confirmation link (not for agency staff working in a
    client workspace: its own owner decides)."""
    try:
        message = await ask_to_delete(runtime, user.workspace, user.member, name)
    except HTTPException as exc:
        return flash_redirect("/workspace", str(exc.detail), "error")
    except ClientOwnersOnly as exc:
        return flash_redirect("/workspace", str(exc), "error")
    return flash_redirect("/workspace", message)


def _gone(request: Request, user: WebUser | None, exc: deletion.DeletionError) -> HTMLResponse:
    return render(
        request, "error.html", user, status=exc.status, title="Link not valid", message=str(exc)
    )


@router.get("/workspace/delete/{token}")
async def confirm_page(
    request: Request, token: str, runtime: RuntimeDep, session: SessionDep, user: OptionalUser
) -> Response:
    """What the link deletes, with the button that deletes it."""
    try:
        workspace, _owner = await deletion.peek(session, runtime.settings, token)
    except deletion.DeletionError as exc:
        return _gone(request, user, exc)
    csrf = user.csrf_token if user is not None else pre_auth_csrf(request)
    response = render(
        request,
        "workspace/confirm.html",
        user,
        title=f"Delete {workspace.name}",
        csrf_token=csrf,
        workspace=workspace,
        token=token,
        restore_days=retention.RESTORE_DAYS,
    )
    if user is None:
        set_csrf_cookie(response, csrf, secure=is_secure(request, runtime))
    return response


@router.post("/workspace/delete/{token}", dependencies=[CsrfChecked])
async def confirm(
    request: Request, token: str, runtime: RuntimeDep, session: SessionDep, user: OptionalUser
) -> Response:
    """Use the link: the workspace is deleted, its schedules stop."""
    try:
        workspace, workflows = await deletion.confirm_deletion(session, runtime.settings, token)
        await session.commit()
    except deletion.DeletionError as exc:
        await session.rollback()
        return _gone(request, user, exc)
    await reschedule(runtime, workflows)
    until = deletion.restorable_until(workspace)
    assert until is not None
    return render(
        request,
        "error.html",
        None,
        title="Workspace deleted",
        message=f"“{workspace.name}” is deleted and its workflows have stopped. An owner can "
        f"restore it until {until:%d %B %Y}; after that it is erased for good.",
    )


@router.get("/workspace/deleted")
async def deleted_page(request: Request, user: OptionalUser) -> Response:
    """Where a signed-in member of a deleted workspace lands: restore it (owners)."""
    if user is None or user.workspace.deleted_at is None:
        return flash_redirect("/", "This workspace is not deleted.")
    return render(
        request,
        "workspace/deleted.html",
        user,
        title="Workspace deleted",
        until=deletion.restorable_until(user.workspace),
        is_owner=user.member.role == Role.owner,
    )


@router.post("/workspace/restore", dependencies=[CsrfChecked])
async def restore(user: OptionalUser, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Restore the deleted workspace and schedule its workflows again."""
    if user is None:
        raise HTTPException(401, "sign in first")
    workspace = user.workspace
    try:
        workflows = await deletion.restore(session, workspace, user.member)
    except deletion.DeletionError as exc:
        return flash_redirect("/workspace/deleted", str(exc), "error")
    await session.commit()
    await reschedule(runtime, workflows)
    return flash_redirect("/workspace", f"Restored “{workspace.name}”: its workflows run again.")
