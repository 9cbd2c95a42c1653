"""The emailed confirmation link of a lone owner's own class C approval: look, then approve.

Opening the link changes nothing (mail scanners open links too); its page's button approves. The
link is the credential (single use, expiring, stored as a hash): no sign-in is needed, and the
policy is checked again when it is used (`workflows.approval_links.approve_by_link`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from accounts.web_auth import WebUser
from bot.api.deps import RuntimeDep, SessionDep
from bot.web.auth import CsrfChecked, OptionalUser, is_secure, pre_auth_csrf, set_csrf_cookie
from bot.web.render import render
from workflows import approval_links
from workflows.errors import Conflict, DomainError
from workflows.live import LiveEvent

router = APIRouter(include_in_schema=False)


def _gone(request: Request, user: WebUser | None, exc: approval_links.LinkGone) -> HTMLResponse:
    title = {"used": "Link already used", "expired": "Link expired"}.get(
        exc.reason, "Link not valid"
    )
    return render(request, "error.html", user, status=410, title=title, message=str(exc))


@router.get("/approvals/confirm/{token}")
async def confirm_page(
    request: Request, token: str, runtime: RuntimeDep, session: SessionDep, user: OptionalUser
) -> Response:
    """What the link approves, with the button that approves it."""
    try:
        view = await approval_links.peek(session, token)
    except approval_links.LinkGone as exc:
        return _gone(request, user, exc)
    csrf = user.csrf_token if user is not None else pre_auth_csrf(request)
    response = render(
        request,
        "approvals/confirm.html",
        user,
        title=f"Approve {view.workflow_name}",
        csrf_token=csrf,
        workflow_name=view.workflow_name,
        approval=view.approval,
        token=token,
    )
    if user is None:
        set_csrf_cookie(response, csrf, secure=is_secure(request, runtime))
    return response


@router.post("/approvals/confirm/{token}", dependencies=[CsrfChecked])
async def confirm(
    request: Request, token: str, runtime: RuntimeDep, session: SessionDep, user: OptionalUser
) -> Response:
    """Use the link: approve as the owner it was emailed to (if the policy still allows it)."""
    try:
        proposal = await approval_links.approve_by_link(session, token)
        await session.commit()
    except approval_links.LinkGone as exc:
        await session.rollback()
        return _gone(request, user, exc)
    except DomainError as exc:  # e.g. another owner or admin joined: they approve it now
        await session.rollback()
        status = 409 if isinstance(exc, Conflict) else 403
        return render(
            request, "error.html", user, status=status, title="Not approved", message=str(exc)
        )
    workflow = proposal.workflow
    await runtime.sync_workflow(workflow)
    runtime.live.approval_changed(proposal.approval)
    runtime.live.publish(
        LiveEvent(workflow.workspace_id, "approval.decided", workflow_id=workflow.id,
                  detail=proposal.approval.decision.value)
    )  # fmt: skip
    return render(
        request,
        "error.html",
        user,
        title="Approved",
        message=f"Approved “{workflow.name}”: the workflow is {workflow.status.value}.",
    )
