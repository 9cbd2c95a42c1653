"""Levqor's plans as data: prices (GBP, pence), the trial, and every limit in one place.

Change a number here and the pricing page, `/billing`, `GET /api/billing`, the limit checks
(`accounts.limits`) and `levqor billing setup` (Stripe prices by lookup key) all follow.
`None` means unlimited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Interval = Literal["monthly", "annual"]
INTERVALS: tuple[Interval, ...] = ("monthly", "annual")
CURRENCY = "gbp"
TRIAL_DAYS = 7
ANNUAL_DISCOUNT_PERCENT = 20
TRIAL_PLAN = "growth"  # what a workspace may use during its free trial
# A failed payment leaves this long to fix the card before the workspace becomes read-only.
GRACE_DAYS = 7


@dataclass(frozen=True)
class Plan:
    """One plan: its price and what it allows."""

    key: str
    name: str
    monthly_pence: int
    pitch: str
    active_workflows: int | None
    runs_per_month: int | None
    members: int | None
    ai_drafts_per_month: int | None
    client_workspaces: int  # agencies only: 0 elsewhere
    retention_days: int
    exports: bool
    support: str  # in plain words, for the pricing page

    @property
    def annual_pence(self) -> int:
        """A year's price at the annual discount (twelve months less 20%)."""
        return self.monthly_pence * 12 * (100 - ANNUAL_DISCOUNT_PERCENT) // 100

    def price_pence(self, interval: Interval) -> int:
        """The price charged once per `interval`."""
        return self.monthly_pence if interval == "monthly" else self.annual_pence

    def lookup_key(self, interval: Interval) -> str:
        """The Stripe price's lookup key (`levqor_growth_annual`)."""
        return f"levqor_{self.key}_{interval}"


PLANS: tuple[Plan, ...] = (
    Plan(
        key="launch",
        name="Launch",
        monthly_pence=900,
        pitch="For one person automating the first few chores.",
        active_workflows=3,
        runs_per_month=500,
        members=2,
        ai_drafts_per_month=30,
        client_workspaces=0,
        retention_days=14,
        exports=False,
        support="Best effort by email",
    ),
    Plan(
        key="growth",
        name="Growth",
        monthly_pence=2900,
        pitch="For a small team running its operations on Levqor.",
        active_workflows=15,
        runs_per_month=5_000,
        members=10,
        ai_drafts_per_month=200,
        client_workspaces=0,
        retention_days=90,
        exports=True,
        support="Answer within 24 hours",
    ),
    Plan(
        key="scale",
        name="Scale",
        monthly_pence=5900,
        pitch="For a growing business with many workflows and people.",
        active_workflows=50,
        runs_per_month=25_000,
        members=30,
        ai_drafts_per_month=1_000,
        client_workspaces=0,
        retention_days=365,
        exports=True,
        support="Answer within 8 hours",
    ),
    Plan(
        key="agency",
        name="Agency",
        monthly_pence=14900,
        pitch="For agencies running operations for their clients.",
        active_workflows=150,
        runs_per_month=100_000,
        members=50,
        ai_drafts_per_month=3_000,
        client_workspaces=25,
        retention_days=365,
        exports=True,
        support="Answer within 4 hours",
    ),
)
BY_KEY = {plan.key: plan for plan in PLANS}


def plan_named(key: str) -> Plan:
    """The plan with this key (`growth`); a ValueError that lists the plans otherwise."""
    plan = BY_KEY.get(key.strip().lower())
    if plan is None:
        names = ", ".join(p.name for p in PLANS)
        raise ValueError(f"there is no plan called {key!r}: choose one of {names}")
    return plan


def by_lookup_key(lookup_key: str) -> tuple[Plan, Interval] | None:
    """The plan and interval a Stripe price's lookup key stands for, if it is one of ours."""
    for plan in PLANS:
        for interval in INTERVALS:
            if plan.lookup_key(interval) == lookup_key:
                return plan, interval
    return None


def money(pence: int) -> str:
    """Pence as pounds for people: 900 → "£9", 27840 → "£278.40", 1234567 → "£12,345.67"."""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


def amount(limit: int | None, unit: str) -> str:
    """A limit in words: "5,000 runs", "Unlimited runs"."""
    return f"Unlimited {unit}" if limit is None else f"{limit:,} {unit}"
