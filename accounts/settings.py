"""Workspace settings: name, timezone, who approves what, failure notices, approval chasing.

One model (`WorkspaceSettings`) is what the REST API and the web page show; `SettingsChange` is a
partial update, validated field by field with messages a person can act on. Owners and admins may
change settings; only an owner may change who approves what (self-approval).
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storage.models import AuditLog, Member, Role, Workspace
from storage.scope import Tenant

MAX_HOURS = 24 * 90
_CHANNEL = re.compile(r"^[#@]?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
EDITORS = (Role.owner, Role.admin)


class SettingsError(ValueError):
    """A settings change is refused; the message says why."""


def check_timezone(value: str) -> str:
    """An IANA timezone name such as Europe/London, or SettingsError."""
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"“{name}” is not a timezone we know: use a name like Europe/London "
            "or America/New_York."
        ) from exc
    return name


class WorkspaceSettings(BaseModel):
    """A workspace's settings as people and scripts see them."""

    name: str
    timezone: str
    allow_self_approval: bool = Field(
        description="An owner or admin may approve their own class B workflow (with a confirmation)"
    )
    failure_email: bool = Field(description="Email owners when a scheduled workflow starts failing")
    alert_channel: str | None = Field(description="A Slack channel also told about failures")
    approval_reminder_hours: int
    approval_escalate_hours: int
    approval_expire_hours: int | None

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceSettings:
        """The settings stored on a workspace row."""
        return cls(
            name=workspace.name,
            timezone=workspace.timezone or "UTC",
            allow_self_approval=workspace.allow_self_approval,
            failure_email=workspace.failure_email,
            alert_channel=workspace.alert_channel,
            approval_reminder_hours=workspace.approval_reminder_hours,
            approval_escalate_hours=workspace.approval_escalate_hours,
            approval_expire_hours=workspace.approval_expire_hours,
        )


def _hours(value: int | None, what: str) -> int | None:
    if value is not None and not 1 <= value <= MAX_HOURS:
        raise ValueError(f"{what} is a number of hours from 1 to {MAX_HOURS}")
    return value


class SettingsChange(BaseModel):
    """A partial change: only the fields given are changed (`alert_channel: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = None
    allow_self_approval: bool | None = None
    failure_email: bool | None = None
    alert_channel: str | None = Field(default=None, max_length=80)
    approval_reminder_hours: int | None = None
    approval_escalate_hours: int | None = None
    approval_expire_hours: int | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("give the workspace a name")
        return value.strip() if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check_timezone(value)
        except SettingsError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("alert_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        channel = value.strip()
        if not _CHANNEL.match(channel):
            raise ValueError("a Slack channel is a name like #alerts (letters, digits, - and _)")
        return channel if channel.startswith(("#", "@")) else f"#{channel}"

    @field_validator("approval_reminder_hours", "approval_escalate_hours")
    @classmethod
    def _period(cls, value: int | None) -> int | None:
        return _hours(value, "a reminder or escalation time")

    @field_validator("approval_expire_hours")
    @classmethod
    def _expiry(cls, value: int | None) -> int | None:
        return _hours(value, "an expiry")


def may_edit(role: Role) -> bool:
    """Whether a role may change the workspace's settings."""
    return role in EDITORS


async def update_settings(
    tenant: Tenant, workspace: Workspace, actor: Member, change: SettingsChange
) -> WorkspaceSettings:
    """Apply the fields `change` sets (caller commits); SettingsError when `actor` may not."""
    if not may_edit(actor.role):
        raise SettingsError("Only an owner or admin can change the workspace's settings.")
    fields = change.model_fields_set
    if "allow_self_approval" in fields and actor.role != Role.owner:
        raise SettingsError("Only an owner can change who approves what.")
    changed: dict[str, Any] = {}
    nullable = {"alert_channel", "approval_expire_hours"}
    for field in sorted(fields):
        value = getattr(change, field)
        if value is None and field not in nullable:
            continue
        if getattr(workspace, field) != value:
            changed[field] = value
            setattr(workspace, field, value)
    if changed:
        tenant.session.add(workspace)
        tenant.add(
            AuditLog(
                workspace_id="",
                actor=actor.name,
                action="settings.changed",
                subject=workspace.id,
                detail=changed,
            )
        )
        await tenant.session.flush()
    return WorkspaceSettings.of(workspace)
