"""The Settings page: the workspace's settings form and its API keys (create, revoke)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from accounts import key_admin
from accounts.settings import (
    SettingsChange,
    SettingsError,
    WorkspaceSettings,
    may_edit,
    update_settings,
)
from bot.web.auth import CsrfChecked, PageContext, WebContext
from bot.web.flash import flash_redirect
from bot.web.render import render
from storage.models import Role
from workflows.errors import plain_message

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
_FIELDS = {
    "name": "Workspace name",
    "timezone": "Timezone",
    "alert_channel": "Slack channel for failures",
    "approval_reminder_hours": "Remind after",
    "approval_escalate_hours": "Escalate after",
    "approval_expire_hours": "Withdraw after",
}


@cache
def timezones() -> list[str]:
    """Every IANA timezone name, sorted (for the form's suggestions)."""
    return sorted(zoneinfo.available_timezones())


async def _page(
    request: Request, ctx: WebContext, *, status: int = 200, **context: Any
) -> HTMLResponse:
    member = ctx.user.member
    keys = await key_admin.list_keys(ctx.tenant) if key_admin.may_manage_keys(member.role) else []
    values = context.pop("values", None) or WorkspaceSettings.of(ctx.user.workspace).model_dump()
    return render(
        request,
        "settings/index.html",
        ctx.user,
        status=status,
        title="Settings",
        values=values,
        timezones=timezones(),
        may_edit=may_edit(member.role),
        is_owner=member.role == Role.owner,
        keys=keys,
        may_manage_keys=key_admin.may_manage_keys(member.role),
        key_roles=[r for r in Role if r != Role.owner or member.role == Role.owner],
        **context,
    )


@router.get("/settings")
async def settings_page(request: Request, ctx: PageContext) -> Response:
    """The workspace's settings and API keys."""
    return await _page(request, ctx)


def _hours(value: str) -> int | str | None:
    text = value.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _problems(exc: ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "name"
        message = plain_message(error["msg"])
        if error["type"] in ("int_parsing", "int_type"):
            message = "enter a whole number of hours"
        problems[field] = f"{_FIELDS.get(field, field)}: {message}"
    return problems


@router.post("/settings", dependencies=[CsrfChecked])
async def save_settings(
    request: Request,
    ctx: PageContext,
    name: Text = "",
    timezone: Text = "",
    alert_channel: Text = "",
    approval_reminder_hours: Text = "",
    approval_escalate_hours: Text = "",
    approval_expire_hours: Text = "",
    failure_email: Text = "",
    allow_self_approval: Text = "",
) -> Response:
    """Save the form; a problem shows the form again with what was typed and what to fix."""
    typed: dict[str, Any] = {
        "name": name,
        "timezone": timezone,
        "alert_channel": alert_channel or None,
        "approval_reminder_hours": _hours(approval_reminder_hours or "24"),
        "approval_escalate_hours": _hours(approval_escalate_hours or "24"),
        "approval_expire_hours": _hours(approval_expire_hours),
        "failure_email": failure_email == "on",
    }
    if ctx.user.member.role == Role.owner:
        typed["allow_self_approval"] = allow_self_approval == "on"
    try:
        change = SettingsChange.model_validate(typed)
        await update_settings(ctx.tenant, ctx.user.workspace, ctx.user.member, change)
    except ValidationError as exc:  # raised before anything changed: nothing to roll back
        shown = {**WorkspaceSettings.of(ctx.user.workspace).model_dump(), **typed}
        return await _page(request, ctx, status=422, values=shown, errors=_problems(exc))
    except SettingsError as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/settings", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/settings", "Saved the workspace's settings.")


@router.post("/settings/keys", dependencies=[CsrfChecked])
async def create_key(
    request: Request, ctx: PageContext, name: Text = "", role: Text = "operator"
) -> Response:
    """Create a key and show its secret this once."""
    try:
        plaintext, key = await key_admin.new_key(
            ctx.tenant, ctx.user.workspace, ctx.user.member, name, role
        )
    except key_admin.KeyAdminError as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/settings#keys", str(exc), "error")
    await ctx.tenant.session.commit()
    return await _page(request, ctx, new_key=plaintext, new_key_name=key.name)


@router.post("/settings/keys/{key_id}/revoke", dependencies=[CsrfChecked])
async def revoke_key(key_id: str, ctx: PageContext) -> Response:
    """Revoke a key: it stops working at once."""
    try:
        key = await key_admin.revoke_key(ctx.tenant, ctx.user.member, key_id)
    except (key_admin.KeyAdminError, key_admin.KeyNotFound) as exc:
        await ctx.tenant.session.rollback()
        return flash_redirect("/settings#keys", str(exc), "error")
    await ctx.tenant.session.commit()
    return flash_redirect("/settings#keys", f"Revoked the key “{key.name}”: it no longer works.")
