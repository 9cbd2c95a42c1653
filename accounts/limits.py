"""Plan limits, checked where work is admitted (one call per front), never inside a run's steps.

`check()` answers None (go ahead) or a `Refusal`: a machine-readable `reason` for the API (402)
and a plain sentence with an upgrade link for people. Usage counts from the start of the
current billing period, so it resets when the period renews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from accounts.subscriptions import READ_ONLY, plan_of, status_at, subscription_of
from storage.models import (
    AuditLog,
    Member,
    Run,
    Subscription,
    UsageCount,
    WebInvite,
    Workflow,
    WorkflowStatus,
    Workspace,
)
from storage.scope import Tenant
from storage.types import utcnow

Action = Literal["workflow", "activate", "run", "member", "ai_draft", "export", "client"]
UPGRADE_PATH = "/billing"
UPGRADE_WORDS = "Choose a plan on the Billing page (/billing)."


@dataclass(frozen=True)
class Refusal:
    """Why work was not admitted: `reason` for machines, `message` for people."""

    reason: str
    message: str
    upgrade_url: str = UPGRADE_PATH

    def sentence(self, base_url: str = "") -> str:
        """The message with where to upgrade, for Slack and plain text."""
        return f"{self.message} Upgrade at {base_url}{self.upgrade_url}"


class OverLimit(Exception):
    """Work refused by the plan (the API answers 402 with `refusal.reason`)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.message} {UPGRADE_WORDS}")
        self.refusal = refusal


@dataclass(frozen=True)
class Meter:
    """One usage figure against its limit (None: unlimited)."""

    key: str
    label: str
    used: int
    limit: int | None

    @property
    def over(self) -> bool:
        """Whether the limit is reached."""
        return self.limit is not None and self.used >= self.limit


async def _count(session: AsyncSession, query: object) -> int:
    counted = select(func.count()).select_from(query.subquery())  # type: ignore[attr-defined]
    return int((await session.exec(counted)).one())


METER_KEYS = ("workflows", "runs", "members", "ai_drafts", "clients")


async def meters(
    session: AsyncSession, subscription: Subscription, only: str | None = None
) -> list[Meter]:
    """The metered figures (or `only` that one) of the subscription's workspace in the current
    period; an agency's workflows and runs include those of its clients without their own plan."""
    plan, ws, since = plan_of(subscription), subscription.workspace_id, subscription.period_start
    found: list[Meter] = []
    for key in METER_KEYS if only is None else (only,):
        if key == "workflows":
            active = select(Workflow.id).where(
                col(Workflow.workspace_id).in_(await _covered(session, ws)),
                col(Workflow.status).in_((WorkflowStatus.active, WorkflowStatus.pending_approval)),
            )
            used, limit, label = (
                await _count(session, active),
                plan.active_workflows,
                "Active workflows",
            )
        elif key == "runs":
            runs = select(Run.id).where(
                col(Run.workspace_id).in_(await _covered(session, ws)),
                col(Run.created_at) >= since,
                col(Run.dry_run).is_(False),
            )
            used, limit, label = (
                await _count(session, runs),
                plan.runs_per_month,
                "Runs this period",
            )
        elif key == "members":
            members = select(Member.id).where(Member.workspace_id == ws)
            invites = select(WebInvite.id).where(
                WebInvite.workspace_id == ws,
                col(WebInvite.accepted_at).is_(None),
                col(WebInvite.revoked_at).is_(None),
                col(WebInvite.expires_at) > utcnow(),
            )
            used = await _count(session, members) + await _count(session, invites)
            limit, label = plan.members, "Team members and open invites"
        elif key == "ai_drafts":
            used = await _used(session, ws, "ai_draft", since)
            limit, label = plan.ai_drafts_per_month, "AI drafts this period"
        else:
            clients = select(Workspace.id).where(Workspace.parent_id == ws)
            used, limit, label = (
                await _count(session, clients),
                plan.client_workspaces,
                "Client workspaces",
            )
        found.append(Meter(key, label, used, limit))
    return found


async def _covered(session: AsyncSession, workspace_id: str) -> list[str]:
    """The workspace and its client workspaces that have no plan of their own."""
    own_plans = select(Subscription.workspace_id)
    covered = select(Workspace.id).where(
        Workspace.parent_id == workspace_id, col(Workspace.id).not_in(own_plans)
    )
    return [workspace_id, *(await session.exec(covered)).all()]


async def _used(session: AsyncSession, workspace_id: str, metric: str, since: datetime) -> int:
    query = select(UsageCount).where(
        UsageCount.workspace_id == workspace_id,
        UsageCount.metric == metric,
        UsageCount.period_start == since,
    )
    row = (await session.exec(query)).first()
    return row.count if row else 0


async def record_use(session: AsyncSession, workspace_id: str, metric: str) -> None:
    """Count one AI draft or export in the current period (the caller commits)."""
    subscription = await subscription_of(session, workspace_id)
    if subscription is None:
        return
    query = select(UsageCount).where(
        UsageCount.workspace_id == subscription.workspace_id,
        UsageCount.metric == metric,
        UsageCount.period_start == subscription.period_start,
    )
    row = (await session.exec(query)).first()
    if row is None:
        row = UsageCount(
            workspace_id=subscription.workspace_id,
            metric=metric,
            period_start=subscription.period_start,
        )
        session.add(row)
    row.count += 1


_METER_OF: dict[Action, str] = {
    "workflow": "workflows",
    "activate": "workflows",
    "run": "runs",
    "member": "members",
    "ai_draft": "ai_drafts",
    "client": "clients",
}
_WORDS: dict[str, str] = {
    "workflows": "active workflows (those awaiting approval included)",
    "runs": "runs this month",
    "members": "team members",
    "ai_drafts": "AI drafts this month",
    "clients": "client workspaces",
}


async def check(
    session: AsyncSession, workspace_id: str, action: Action, now: datetime | None = None
) -> Refusal | None:
    """None if the workspace's plan admits `action` now, else why not."""
    subscription = await subscription_of(session, workspace_id)
    if subscription is None:
        return None
    status = status_at(subscription, now)
    if status in READ_ONLY:
        why = (
            "Your free trial has ended"
            if subscription.stripe_subscription_id is None
            else ("Your Levqor subscription has ended")
        )
        return Refusal(
            "read_only",
            f"{why}, so this workspace is read-only: your data is kept and runs are paused "
            "until you choose a plan.",
        )
    plan = plan_of(subscription)
    if action == "export":
        if plan.exports:
            return None
        return Refusal(
            "plan_excludes_exports", f"Exports come with Growth and up; you are on {plan.name}."
        )
    if action == "client" and not plan.client_workspaces:
        return Refusal("plan_excludes_clients", "Client workspaces come with the Agency plan.")
    key = _METER_OF[action]
    [meter] = await meters(session, subscription, only=key)
    if not meter.over:
        return None
    return Refusal(
        f"{key}_limit",
        f"Your {plan.name} plan allows {meter.limit:,} {_WORDS[key]} and you have used "
        f"{meter.used:,}.",
    )


async def require(
    session: AsyncSession, workspace_id: str, action: Action, now: datetime | None = None
) -> None:
    """Raise `OverLimit` unless the plan admits `action`."""
    refusal = await check(session, workspace_id, action, now)
    if refusal is not None:
        raise OverLimit(refusal)


def price_words(plan: plans.Plan, interval: plans.Interval) -> str:
    """ "£29 a month" / "£278.40 a year"."""
    per = "a month" if interval == "monthly" else "a year"
    return f"{plans.money(plan.price_pence(interval))} {per}"


async def run_gate(tenant: Tenant) -> str | None:
    """A run's admission for the scheduler and the webhook hub: why not, in words, or None."""
    refusal = await check(tenant.session, tenant.workspace_id, "run")
    return None if refusal is None else f"{refusal.message} {UPGRADE_WORDS}"


async def record_skipped_delivery(session: AsyncSession, workflow: Workflow, reason: str) -> None:
    """Keep an acknowledged delivery that started no run in the audit log (the caller commits)."""
    session.add(
        AuditLog(
            workspace_id=workflow.workspace_id,
            actor="webhook",
            action="webhook.skipped",
            subject=workflow.id,
            detail={"reason": reason},
        )
    )


async def admit_draft(session: AsyncSession, workspace_id: str) -> str | None:
    """Admit one AI draft and count it (the caller commits), or say why not, in words."""
    refusal = await check(session, workspace_id, "ai_draft")
    if refusal is not None:
        return f"{refusal.message} {UPGRADE_WORDS}"
    await record_use(session, workspace_id, "ai_draft")
    return None
