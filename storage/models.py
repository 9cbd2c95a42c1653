"""Database tables. Every tenant-owned table carries `workspace_id` (see `storage.scope`)."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, new_id, utcnow


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


def _json(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(JSON, nullable=True))
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Role(StrEnum):
    """A member's role, from most to least powerful."""

    owner = "owner"
    admin = "admin"
    operator = "operator"
    viewer = "viewer"


class WorkflowStatus(StrEnum):
    """Where a workflow is in its life."""

    draft = "draft"
    pending_approval = "pending_approval"
    active = "active"
    paused = "paused"
    archived = "archived"


class VersionState(StrEnum):
    """The decision taken on one version of a workflow."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    superseded = "superseded"


class Decision(StrEnum):
    """An approval's outcome."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class RunStatus(StrEnum):
    """A run's state."""

    queued = "queued"
    running = "running"
    waiting = "waiting"
    succeeded = "succeeded"
    failed = "failed"
    # Ended unexecuted (or between steps) on purpose, with the reason in `Run.error`: neither a
    # success nor a failure (analytics, health, the bell and failure notices leave it out).
    cancelled = "cancelled"


# The statuses a run ends in: nothing executes it any more.
ENDED_RUN_STATUSES = (RunStatus.succeeded, RunStatus.failed, RunStatus.cancelled)


class StepStatus(StrEnum):
    """A step run's state."""

    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"
    waiting = "waiting"
    unknown = "unknown"  # a send the process died in the middle of: it may or may not have gone


class Workspace(SQLModel, table=True):
    """A tenant; an agency workspace may own client workspaces."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    slug: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    parent_id: str | None = Field(default=None, foreign_key="workspace.id", max_length=32)
    alert_channel: str | None = Field(default=None, max_length=200)
    allow_self_approval: bool = False
    # Settings (accounts.settings): the IANA zone drafts, schedules and pages use; whether owners
    # get failure alerts by email; when waiting approvals are chased (hours; expiry optional).
    timezone: str = Field(default="UTC", max_length=64)
    failure_email: bool = True
    approval_reminder_hours: int = 24
    approval_escalate_hours: int = 24
    approval_expire_hours: int | None = None
    # The inbound-email webhook's secret (URL path and signing key); regenerable. NULL on rows
    # from before it was stored: the first use pins the value derived from the secret key then.
    inbound_secret: str | None = Field(default_factory=lambda: secrets.token_hex(20), max_length=64)
    created_at: datetime = _ts()
    # Account deletion (accounts.deletion): when an owner asked (the emailed link names this
    # moment), and when it was confirmed; deleted, the workspace is hidden and restorable for
    # 30 days, then the purge erases it everywhere.
    deletion_requested_at: datetime | None = _ts(nullable=True)
    deleted_at: datetime | None = _ts(nullable=True)


class Member(SQLModel, table=True):
    """A person (or service identity) in a workspace, with a role."""

    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    name: str = Field(max_length=200)
    role: Role = Field(default=Role.operator, max_length=16)
    email: str | None = Field(default=None, max_length=320)
    slack_user_id: str | None = Field(default=None, index=True, max_length=32)
    created_at: datetime = _ts()
    # An agency member's client workspace they act in from Slack (`/levqor workspace SLUG`);
    # None: their own. Checked against the agency link on every use.
    acting_workspace_id: str | None = Field(default=None, max_length=32)


class ApiKey(SQLModel, table=True):
    """A hashed API key acting as one member."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    member_id: str = Field(foreign_key="member.id", max_length=32)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(unique=True, max_length=64)
    name: str = Field(default="", max_length=200)
    created_at: datetime = _ts()
    last_used_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)


class Workflow(SQLModel, table=True):
    """A named automation; its behaviour lives in immutable versions."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    name: str = Field(max_length=200)
    category: str | None = Field(default=None, max_length=64)
    template_id: str | None = Field(default=None, max_length=100)
    status: WorkflowStatus = Field(default=WorkflowStatus.draft, max_length=32)
    active_version: int | None = None
    latest_version: int = 0
    webhook_secret: str = Field(max_length=64)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class WorkflowVersion(SQLModel, table=True):
    """One immutable version of a workflow's spec."""

    __tablename__ = "workflow_version"
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    workflow_id: str = Field(foreign_key="workflow.id", index=True, max_length=32)
    version: int
    spec: dict[str, Any] = _json()
    approval_class: str = Field(max_length=1)
    state: VersionState = Field(default=VersionState.pending, max_length=16)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()


class Approval(SQLModel, table=True):
    """A request to approve one workflow version, and its decision."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    workflow_id: str = Field(foreign_key="workflow.id", index=True, max_length=32)
    version_id: str = Field(foreign_key="workflow_version.id", max_length=32)
    approval_class: str = Field(max_length=1)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requested_by: str | None = Field(default=None, max_length=32)
    decided_by: str | None = Field(default=None, max_length=32)
    decision: Decision = Field(default=Decision.pending, max_length=16)
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()
    decided_at: datetime | None = _ts(nullable=True)
    # Chasing a waiting request (workflows.reminders): when approvers were reminded, escalated.
    reminded_at: datetime | None = _ts(nullable=True)
    escalated_at: datetime | None = _ts(nullable=True)
    # Where the approval card was posted in Slack (reminders reply in its thread).
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)


class Run(SQLModel, table=True):
    """One execution of a workflow version."""

    __table_args__ = (
        UniqueConstraint("workflow_id", "idempotency_key"),
        Index("ix_run_ws_created", "workspace_id", "created_at"),
        Index("ix_run_wf_finished", "workflow_id", "finished_at"),  # each workflow's latest runs
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    workflow_id: str = Field(foreign_key="workflow.id", index=True, max_length=32)
    version_id: str = Field(foreign_key="workflow_version.id", max_length=32)
    status: RunStatus = Field(default=RunStatus.queued, max_length=16, index=True)
    trigger_type: str = Field(max_length=16)
    trigger_payload: dict[str, Any] = _json()
    idempotency_key: str | None = Field(default=None, max_length=200)
    dry_run: bool = False
    error: str | None = None
    # The member who asked for the run (manual runs); an agency member's run in a client
    # workspace does not execute once the client is unlinked.
    requested_by: str | None = Field(default=None, max_length=32)
    # Why a poll could not look for news (a sheet it cannot read): the run was started only to
    # report it and fails with it at once. Apart from the trigger payload, so no sheet column or
    # feed field can be taken for it.
    poll_problem: str | None = None
    resume_at: datetime | None = _ts(nullable=True, index=True)
    created_at: datetime = _ts()
    started_at: datetime | None = _ts(nullable=True)
    finished_at: datetime | None = _ts(nullable=True)
    # The execution lease (workflows.leases): which process executes the run, and until when
    # unless its heartbeat renews it. NULL owner: nobody (queued, waiting, finished).
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = _ts(nullable=True)
    # How many executions of this run ended without finishing it (a process died holding the
    # lease, or the engine itself failed): a poison run is failed once this reaches the limit.
    recoveries: int = 0
    # Running time, waits excluded: seconds run before the last wait, and since when it runs now.
    active_seconds: float = 0.0
    running_since: datetime | None = _ts(nullable=True)


class StepRun(SQLModel, table=True):
    """One step of a run: attempts, inputs, outputs, error, idempotency key, duration."""

    __tablename__ = "step_run"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    run_id: str = Field(foreign_key="run.id", index=True, max_length=32)
    step_id: str = Field(max_length=64)
    position: int
    action: str = Field(max_length=100)
    status: StepStatus = Field(default=StepStatus.running, max_length=16)
    attempts: int = 0
    inputs: dict[str, Any] = _json()
    output: dict[str, Any] | None = _json(nullable=True)
    error: str | None = None
    idempotency_key: str = Field(unique=True, max_length=100)
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    duration_ms: float | None = None


class RunEvent(SQLModel, table=True):
    """A timestamped event in a run's timeline (step started, retried, failed, ...)."""

    __tablename__ = "run_event"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    run_id: str = Field(foreign_key="run.id", index=True, max_length=32)
    step_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=32)
    message: str = ""
    at: datetime = _ts()


class AuditLog(SQLModel, table=True):
    """Who did what, when."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    actor: str | None = Field(default=None, max_length=200)
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=200)
    detail: dict[str, Any] = _json()
    at: datetime = _ts()


class OutboxMessage(SQLModel, table=True):
    """A Slack or email message kept instead of (or before) being sent live."""

    __tablename__ = "outbox"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    channel: str = Field(max_length=16)
    target: str = Field(max_length=320)
    subject: str | None = Field(default=None, max_length=500)
    body: str = ""
    payload: dict[str, Any] = _json()
    status: str = Field(default="pending", max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    created_at: datetime = _ts()


class Credential(SQLModel, table=True):
    """An integration secret, sealed with the key ring and bound to its workspace and name."""

    __table_args__ = (UniqueConstraint("workspace_id", "integration", "name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    integration: str = Field(max_length=32)
    name: str = Field(max_length=100)
    ciphertext: str
    created_at: datetime = _ts()


class Connection(SQLModel, table=True):
    """A workspace's connection to one integration: its settings (never secrets) and health.

    Secrets live in `Credential` rows of the same integration; `config` holds what may be shown
    (SMTP host, sender, names of HTTP secrets, the Google account's token expiry, ...).
    """

    __table_args__ = (UniqueConstraint("workspace_id", "integration"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    integration: str = Field(max_length=32)
    config: dict[str, Any] = _json()
    status: str = Field(default="connected", max_length=16)
    detail: str | None = Field(default=None, max_length=500)
    tested_at: datetime | None = _ts(nullable=True)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class CrmContact(SQLModel, table=True):
    """A contact in the built-in CRM."""

    __tablename__ = "crm_contact"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    email: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    stage: str = Field(default="lead", max_length=32)
    source: str | None = Field(default=None, max_length=100)
    fields: dict[str, Any] = _json()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class FeedItemSeen(SQLModel, table=True):
    """An RSS/Atom item a workflow has already seen."""

    __tablename__ = "feed_item_seen"
    __table_args__ = (UniqueConstraint("workflow_id", "item_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    workflow_id: str = Field(foreign_key="workflow.id", max_length=32)
    item_key: str = Field(max_length=500)
    seen_at: datetime = _ts()


class PageSnapshot(SQLModel, table=True):
    """What a watched web page showed at a workflow's last look: the digest of its visible text,
    the text itself (capped), and its prices (`[{"text", "currency", "amount"}]`)."""

    __tablename__ = "page_snapshot"
    __table_args__ = (UniqueConstraint("workflow_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    # No foreign key: deleting a workflow is never blocked by its snapshots (it deletes them).
    workflow_id: str = Field(max_length=32)
    url: str = Field(max_length=2000)
    digest: str = Field(max_length=64)
    text: str = ""
    prices: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_at: datetime = _ts()


class AlertState(SQLModel, table=True):
    """Whether one metric (`key`) of a workflow is over its threshold, and its last value.

    `updated_by` is the idempotency key of the check that wrote the row last (also the version a
    conditional update compares against); `changed_by` the one that last flipped `over`.
    """

    __tablename__ = "alert_state"
    __table_args__ = (UniqueConstraint("workflow_id", "key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    # No foreign key: deleting a workflow is never blocked by its alert state.
    workflow_id: str = Field(max_length=32)
    key: str = Field(max_length=200)
    over: bool = False
    last_value: float
    previous_value: float | None = None
    changed_at: datetime = _ts()
    updated_at: datetime = _ts()
    changed_by: str | None = Field(default=None, max_length=100)
    updated_by: str = Field(max_length=100)


class SlackInstallation(SQLModel, table=True):
    """The Slack app installed in one Slack team, mapped to one Levqor workspace.

    The bot token itself is an encrypted `Credential` (integration `slack`, name `bot_token`).
    """

    __tablename__ = "slack_installation"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    team_id: str = Field(unique=True, max_length=32)
    team_name: str | None = Field(default=None, max_length=200)
    enterprise_id: str | None = Field(default=None, max_length=32)
    app_id: str | None = Field(default=None, max_length=32)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str = Field(default="", max_length=2000)
    installer_user_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime = _ts()


class SlackEvent(SQLModel, table=True):
    """An Events API delivery already taken in (retries with the same `event_id` are dropped)."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = _ts(index=True)


class SlackOAuthState(SQLModel, table=True):
    """A one-time `state` value issued by `/slack/install`, consumed by the OAuth redirect."""

    __tablename__ = "slack_oauth_state"

    state: str = Field(primary_key=True, max_length=64)
    issued_at: datetime = _ts()
    # Set when a signed-in owner or admin starts "Connect Slack" from the Connections page: the
    # install is stored for this workspace (not a new one), and this member is the installer.
    workspace_id: str | None = Field(default=None, max_length=32)
    member_id: str | None = Field(default=None, max_length=32)


class WebLogin(SQLModel, table=True):
    """A member's web sign-in: an email (unique across Levqor) and an Argon2id password hash."""

    __tablename__ = "web_login"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    member_id: str = Field(foreign_key="member.id", max_length=32)
    email: str = Field(unique=True, max_length=320)
    password_hash: str = Field(max_length=200)
    created_at: datetime = _ts()
    last_sign_in_at: datetime | None = _ts(nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    login_id: str = Field(foreign_key="web_login.id", index=True, max_length=32)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class WebInvite(SQLModel, table=True):
    """An invitation to join a workspace with a role: the link holds the token, the table its hash.

    Pending until accepted (single use), revoked (or replaced by a new invite), or expired.
    """

    __tablename__ = "web_invite"
    __table_args__ = (Index("ix_web_invite_ws_email", "workspace_id", "email"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    email: str = Field(max_length=320)
    role: Role = Field(max_length=16)
    token_hash: str = Field(unique=True, max_length=64)
    invited_by: str | None = Field(default=None, foreign_key="member.id", max_length=32)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    accepted_at: datetime | None = _ts(nullable=True)
    accepted_by: str | None = Field(default=None, foreign_key="member.id", max_length=32)
    revoked_at: datetime | None = _ts(nullable=True)


class ApprovalLink(SQLModel, table=True):
    """A single-use link emailed to a lone owner to confirm approving their own class C request.

    The link holds the token; the table keeps its SHA-256. Used once, or expired, it is gone.
    """

    __tablename__ = "approval_link"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    approval_id: str = Field(foreign_key="approval.id", index=True, max_length=32)
    member_id: str = Field(foreign_key="member.id", max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)


class Subscription(SQLModel, table=True):
    """A workspace's Levqor plan: trial, Stripe subscription state, period and reminders.

    A workspace without a row (the embedded default, or one made before billing) is unmetered.
    `status` is Levqor's own (`accounts.subscriptions`): trialing, active, past_due, read_only,
    canceled; `stripe_status` the Stripe subscription's, as last fetched or received.
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", unique=True, max_length=32)
    plan: str = Field(max_length=32)
    interval: str = Field(default="monthly", max_length=16)
    status: str = Field(default="trialing", max_length=16)
    trial_ends_at: datetime | None = _ts(nullable=True)
    period_start: datetime = _ts()
    period_end: datetime | None = _ts(nullable=True)
    cancel_at_period_end: bool = False
    grace_ends_at: datetime | None = _ts(nullable=True)
    stripe_customer_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_subscription_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_status: str | None = Field(default=None, max_length=32)
    # The `created` time of the newest Stripe event applied: an older one never overwrites it.
    stripe_event_at: int = 0
    reminders: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Workflows paused when the workspace became read-only, resumed when it pays again.
    paused_workflows: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class UsageCount(SQLModel, table=True):
    """How many of a counted thing (`ai_draft`, `export`) a workspace used in one period."""

    __tablename__ = "usage_count"
    __table_args__ = (UniqueConstraint("workspace_id", "metric", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    metric: str = Field(max_length=32)
    period_start: datetime = _ts()
    count: int = 0


class BillingEvent(SQLModel, table=True):
    """A Levqor billing webhook event already taken in (Stripe retries are dropped on its id)."""

    __tablename__ = "billing_event"

    event_id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=100)
    received_at: datetime = _ts()


class ExportJob(SQLModel, table=True):
    """An export archive being built in the background (the whole workspace, or one contact's
    data); it is downloaded from a link signed with the instance's key until `expires_at`."""

    __tablename__ = "export_job"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    requested_by: str | None = Field(default=None, max_length=32)
    kind: str = Field(default="workspace", max_length=16)  # "workspace" or "contact"
    contact_email: str | None = Field(default=None, max_length=320)
    status: str = Field(default="queued", max_length=16)  # queued, running, done, failed
    progress: int = 0  # percent
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts()
    # Written every `HEARTBEAT_SECONDS` while a process builds it: a build that stopped beating
    # (the process was killed) is failed with a sentence (`accounts.export_recovery`).
    heartbeat_at: datetime | None = _ts(nullable=True)
    finished_at: datetime | None = _ts(nullable=True)
    expires_at: datetime | None = _ts(nullable=True)


class SupportTicket(SQLModel, table=True):
    """A request for human help: the question, the conversation so far (the docs passages the
    person saw), and when the plan's response time makes it due (None: best effort)."""

    __tablename__ = "support_ticket"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)
    member_id: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    conversation: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    plan: str | None = Field(default=None, max_length=32)
    status: str = Field(default="open", max_length=16)  # open, answered
    created_at: datetime = _ts()
    due_at: datetime | None = _ts(nullable=True, index=True)


class ReferralLink(SQLModel, table=True):
    """A workspace's referral link: `/r/{code}`."""

    __tablename__ = "referral_link"

    code: str = Field(primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", unique=True, max_length=32)
    created_at: datetime = _ts()


class ReferralEvent(SQLModel, table=True):
    """Something a referral link led to: a click, a sign-up (the referred workspace), a payment."""

    __tablename__ = "referral_event"
    # One sign-up, payment and reward per referral and workspace, even when two nodes race.
    __table_args__ = (
        UniqueConstraint(
            "workspace_id", "kind", "referred_workspace_id", name="uq_referral_event_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=32)  # referrer
    kind: str = Field(max_length=16)  # click, signup, paid, reward
    referred_workspace_id: str | None = Field(default=None, max_length=32)
    # A reward: the credit put on this workspace's Levqor bill (pence).
    amount_pence: int | None = Field(default=None)
    at: datetime = _ts()


class SeoProposal(SQLModel, table=True):
    """Suggested search-engine texts for one public page (`/t/{template_id}`); live only once a
    person accepts them. Instance-wide (public pages belong to no workspace)."""

    __tablename__ = "seo_proposal"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    template_id: str = Field(index=True, max_length=100)
    title: str = Field(max_length=200)
    description: str = Field(max_length=500)
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending, accepted, rejected, replaced
    proposed_by: str = Field(max_length=200)
    proposed_at: datetime = _ts()
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = _ts(nullable=True)


TENANT_TABLES: tuple[type[SQLModel], ...] = (
    Member,
    ApiKey,
    Workflow,
    WorkflowVersion,
    Approval,
    Run,
    StepRun,
    RunEvent,
    AuditLog,
    OutboxMessage,
    Credential,
    Connection,
    CrmContact,
    FeedItemSeen,
    PageSnapshot,
    AlertState,
    SlackInstallation,
    WebLogin,
    WebSession,
    WebInvite,
    ApprovalLink,
    Subscription,
    UsageCount,
    ExportJob,
    SupportTicket,
    ReferralLink,
    ReferralEvent,
)
