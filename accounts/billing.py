"""What a workspace's billing looks like right now: plan, status, trial, period, usage, limits.

One summary for `GET /api/billing`, the `/billing` page, `levqor billing status` and the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from accounts.limits import Meter, meters
from accounts.subscriptions import plan_of, status_at, subscription_of, trial_days_left
from storage.types import utcnow

STATUS_WORDS = {
    "trialing": "Free trial",
    "active": "Active",
    "past_due": "Payment failed",
    "read_only": "Read-only",
    "canceled": "Canceled",
}


@dataclass
class Summary:
    """A workspace's billing state (`metered` False: no plan applies, nothing is limited)."""

    metered: bool
    plan: plans.Plan | None = None
    interval: str = "monthly"
    status: str = "unmetered"
    trial_ends_at: datetime | None = None
    trial_days_left: int | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    cancel_at_period_end: bool = False
    grace_ends_at: datetime | None = None
    has_card: bool = False
    meters: list[Meter] = field(default_factory=list)

    @property
    def status_words(self) -> str:
        """The status for people."""
        return STATUS_WORDS.get(self.status, "No plan needed")

    def as_json(self) -> dict[str, Any]:
        """The `GET /api/billing` body."""

        def iso(at: datetime | None) -> str | None:
            return at.isoformat() if at else None

        plan = self.plan
        return {
            "metered": self.metered,
            "plan": plan.key if plan else None,
            "plan_name": plan.name if plan else None,
            "interval": self.interval if self.metered else None,
            "status": self.status,
            "trial_ends_at": iso(self.trial_ends_at),
            "trial_days_left": self.trial_days_left,
            "period": {"start": iso(self.period_start), "end": iso(self.period_end)},
            "cancel_at_period_end": self.cancel_at_period_end,
            "grace_ends_at": iso(self.grace_ends_at),
            "usage": {m.key: m.used for m in self.meters},
            "limits": {m.key: m.limit for m in self.meters}
            | (
                {
                    "retention_days": plan.retention_days,
                    "exports": plan.exports,
                    "support": plan.support,
                }
                if plan
                else {}
            ),
        }

    def sentence(self) -> str:
        """Plan and usage in two plain sentences (the assistant, the CLI, Slack)."""
        if not self.metered or self.plan is None:
            return "This workspace has no Levqor plan to pay for: nothing is limited."
        head = f"You are on {self.plan.name} ({self.status_words.lower()})"
        if self.trial_days_left is not None:
            head += f", {self.trial_days_left} days left in your free trial"
        elif self.period_end is not None:
            head += f", renewing on {self.period_end:%-d %B %Y}"
        used = "; ".join(
            f"{m.label.lower()}: {m.used:,} of {'unlimited' if m.limit is None else f'{m.limit:,}'}"
            for m in self.meters
            if m.key != "clients" or m.limit
        )
        return f"{head}. Used so far — {used}."


async def summary(session: AsyncSession, workspace_id: str, now: datetime | None = None) -> Summary:
    """The workspace's billing now."""
    now = now or utcnow()
    subscription = await subscription_of(session, workspace_id)
    if subscription is None:
        return Summary(metered=False)
    return Summary(
        metered=True,
        plan=plan_of(subscription),
        interval=subscription.interval,
        status=status_at(subscription, now),
        trial_ends_at=subscription.trial_ends_at,
        trial_days_left=trial_days_left(subscription, now),
        period_start=subscription.period_start,
        period_end=subscription.period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        grace_ends_at=subscription.grace_ends_at,
        has_card=subscription.stripe_subscription_id is not None,
        meters=await meters(session, subscription),
    )


async def notice(
    session: AsyncSession, workspace_id: str, now: datetime | None = None
) -> str | None:
    """The one-line banner every page shows when the plan needs attention, else None."""
    now = now or utcnow()
    subscription = await subscription_of(session, workspace_id)
    if subscription is None:
        return None
    status = status_at(subscription, now)
    if status in ("read_only", "canceled"):
        return (
            "This workspace is read-only: your workflows and data are kept, "
            "but nothing runs until you choose a plan."
        )
    if status == "past_due":
        return "Your last payment failed: update your card to keep your workflows running."
    left = trial_days_left(subscription, now)
    if left is not None and left <= 3:
        return f"Your free trial ends in {left} day{'' if left == 1 else 's'}."
    return None
