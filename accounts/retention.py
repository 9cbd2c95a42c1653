"""What each plan promises about data and support: how long run data is kept, how fast help comes.

One small table keyed by plan name, read from the workspace's `plan` when it has one (plans and
billing come from `accounts` plan data later; point `plan_name` at it). A workspace without a
plan (a trial that ended, the embedded default) keeps its data `NO_PLAN_RETENTION_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from storage.models import Subscription, Workspace

NO_PLAN_RETENTION_DAYS = 30
RESTORE_DAYS = 30  # a deleted workspace can be restored this long, then it is purged


@dataclass(frozen=True)
class PlanTerms:
    """A plan's data and support terms."""

    retention_days: int
    support_hours: int | None  # None: best effort, no promised response time


_SUPPORT_HOURS: dict[str, int | None] = {"launch": None, "growth": 24, "scale": 8, "agency": 4}
# Retention comes from the plans themselves (`accounts.plans`), so the pages, the purge and the
# pricing page say the same number.
PLAN_TERMS: dict[str, PlanTerms] = {
    key: PlanTerms(retention_days=plan.retention_days, support_hours=_SUPPORT_HOURS.get(key))
    for key, plan in plans.BY_KEY.items()
}
NO_PLAN = PlanTerms(retention_days=NO_PLAN_RETENTION_DAYS, support_hours=None)


def plan_name(workspace: object) -> str | None:
    """The workspace's plan name (lower case), if it has a plan attribute that names one."""
    plan = getattr(workspace, "plan", None)
    if plan is None:
        return None
    name = plan if isinstance(plan, str) else getattr(plan, "name", None)
    return name.strip().lower() or None if isinstance(name, str) else None


def terms_for(workspace: object) -> PlanTerms:
    """The terms of the workspace's plan (the no-plan terms for an unknown or missing plan)."""
    name = plan_name(workspace)
    return PLAN_TERMS.get(name, NO_PLAN) if name else NO_PLAN


def retention_days(workspace: object) -> int:
    """How many days runs, step data, messages, charts and conversations are kept."""
    return terms_for(workspace).retention_days


def retention_sentence(workspace: object) -> str:
    """The plain-words promise shown on the usage page."""
    return f"Run history kept {retention_days(workspace)} days."


def support_hours(workspace: object) -> int | None:
    """The promised first-response time in hours, or None for best effort."""
    return terms_for(workspace).support_hours


def support_sentence(workspace: object) -> str:
    """The plain-words support promise."""
    hours = support_hours(workspace)
    return "Best-effort support." if hours is None else f"A reply within {hours} hours."


EXPORT_PLANS = frozenset(key for key, plan in plans.BY_KEY.items() if plan.exports)


def can_export(workspace: object) -> bool:
    """Whether the workspace's plan includes the data export (Growth and up).

    A workspace with no plan at all (a self-hosted instance without billing) may export: plan
    data is what limits it, and there is none to say otherwise.
    """
    name = plan_name(workspace)
    return name is None or name in EXPORT_PLANS


@dataclass(frozen=True)
class Planned:
    """A workspace seen with its Levqor plan, for the terms above."""

    id: str
    plan: str | None


async def with_plan(session: AsyncSession, workspace: Workspace) -> Planned:
    """The workspace with its subscription's plan (`accounts.plans`); no subscription, no plan."""
    found = await session.exec(
        select(Subscription.plan).where(Subscription.workspace_id == workspace.id)
    )
    plan = found.first()
    return Planned(workspace.id, plan.strip().lower() if plan else plan_name(workspace))
