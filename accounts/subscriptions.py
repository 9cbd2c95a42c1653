"""A workspace's subscription to Levqor: the trial, its status over time, read-only and restore.

Statuses (`GET /api/billing`): `trialing` (free trial, no card), `active` (paying), `past_due`
(a payment failed: a grace period runs), `read_only` (trial over or grace spent: runs paused,
data kept), `canceled` (the Stripe subscription ended: read-only too). A workspace without a
row (the embedded default, or one made before billing) is unmetered. A client workspace without
its own plan uses its agency's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from storage import read_ahead
from storage.models import Subscription, Workflow, WorkflowStatus, Workspace
from storage.types import utcnow

READ_ONLY = frozenset({"read_only", "canceled"})


def start_trial(
    session: AsyncSession, workspace: Workspace, now: datetime | None = None
) -> Subscription:
    """The free trial a new workspace starts with: the trial plan, no card, `TRIAL_DAYS` long."""
    now = now or utcnow()
    ends = now + timedelta(days=plans.TRIAL_DAYS)
    subscription = Subscription(
        workspace_id=workspace.id,
        plan=plans.TRIAL_PLAN,
        status="trialing",
        trial_ends_at=ends,
        period_start=now,
        period_end=ends,
    )
    session.add(subscription)
    return subscription


async def subscription_of(session: AsyncSession, workspace_id: str) -> Subscription | None:
    """The workspace's own subscription, else its agency's, else None (unmetered).

    The own one is not queried again when this session has just read it (`storage.read_ahead`:
    the webhook hub reads it with the workflow)."""
    noted = read_ahead.take(session, ("subscription", workspace_id))
    own: Subscription | None
    if noted is read_ahead.MISSING:
        query = select(Subscription).where(Subscription.workspace_id == workspace_id)
        own = (await session.exec(query)).first()
    else:
        own = noted
    if own is not None:
        return own
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None or workspace.parent_id is None:
        return None
    query = select(Subscription).where(Subscription.workspace_id == workspace.parent_id)
    return (await session.exec(query)).first()


def status_at(subscription: Subscription, now: datetime | None = None) -> str:
    """The status right now: a trial or grace period that ran out is read-only even before the
    sweep (`settle`) has written it down."""
    now = now or utcnow()
    status = subscription.status
    if status == "trialing" and subscription.trial_ends_at and now >= subscription.trial_ends_at:
        return "read_only"
    if status == "past_due" and subscription.grace_ends_at and now >= subscription.grace_ends_at:
        return "read_only"
    return status


def trial_days_left(subscription: Subscription, now: datetime | None = None) -> int | None:
    """Whole days left in the trial (rounded up), or None outside a trial."""
    if subscription.status != "trialing" or subscription.trial_ends_at is None:
        return None
    left = subscription.trial_ends_at - (now or utcnow())
    return max(0, -(-int(left.total_seconds()) // 86400))


def plan_of(subscription: Subscription) -> plans.Plan:
    """The plan whose limits apply."""
    return plans.BY_KEY.get(subscription.plan) or plans.BY_KEY[plans.TRIAL_PLAN]


async def make_read_only(session: AsyncSession, subscription: Subscription) -> list[Workflow]:
    """Pause every active workflow (remembered, to resume on payment); data is kept."""
    query = select(Workflow).where(
        Workflow.workspace_id == subscription.workspace_id,
        Workflow.status == WorkflowStatus.active,
    )
    paused = list((await session.exec(query)).all())
    for workflow in paused:
        workflow.status, workflow.updated_at = WorkflowStatus.paused, utcnow()
    subscription.paused_workflows = sorted(
        {*subscription.paused_workflows, *(w.id for w in paused)}
    )
    if subscription.status != "canceled":
        subscription.status = "read_only"
    subscription.updated_at = utcnow()
    return paused


async def restore(session: AsyncSession, subscription: Subscription) -> list[Workflow]:
    """After a payment: resume the workflows read-only paused (those still paused)."""
    if not subscription.paused_workflows:
        return []
    query = select(Workflow).where(
        col(Workflow.id).in_(subscription.paused_workflows),
        Workflow.workspace_id == subscription.workspace_id,
        Workflow.status == WorkflowStatus.paused,
    )
    resumed = list((await session.exec(query)).all())
    for workflow in resumed:
        workflow.status, workflow.updated_at = WorkflowStatus.active, utcnow()
    subscription.paused_workflows = []
    subscription.updated_at = utcnow()
    return resumed


async def settle(session: AsyncSession, now: datetime | None = None) -> list[Workflow]:
    """Write down the trials and grace periods that ran out: read-only, workflows paused.

    Returns the workflows paused (the caller commits and unschedules them).
    """
    now = now or utcnow()
    query = select(Subscription).where(col(Subscription.status).in_(("trialing", "past_due")))
    paused: list[Workflow] = []
    for subscription in (await session.exec(query)).all():
        if status_at(subscription, now) == "read_only":
            paused += await make_read_only(session, subscription)
    return paused
