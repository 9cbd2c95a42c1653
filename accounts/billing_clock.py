"""Billing over time: trials and grace periods that ran out turn read-only, reminders go out
(3 days and 1 day before a trial ends; when a payment fails and a day before its grace ends),
and run history older than the plan keeps it is deleted (`accounts.run_history`).

`tick()` runs every `LEVQOR_BILLING_SWEEP_SECONDS` in the app (and takes `now`, so tests move the
clock). Each reminder is marked on the subscription and emailed to the owners once (keyed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.account_mail import AccountMail, send_account_mail
from accounts.run_history import prune
from accounts.subscriptions import settle
from storage.config import Settings
from storage.models import Member, Role, Subscription, Workflow, Workspace
from storage.types import utcnow


@dataclass(frozen=True)
class Reminder:
    """One reminder due for one workspace."""

    workspace_id: str
    subscription_id: str
    kind: str  # trial_3d, trial_1d, payment_failed, grace_1d
    subject: str
    text: str


@dataclass
class Tick:
    """What one tick did."""

    paused: list[Workflow] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    pruned: int = 0  # runs older than the plan's history retention, deleted


def _due(subscription: Subscription, now: datetime, base_url: str) -> list[Reminder]:
    link = f"{base_url.rstrip('/')}/billing"
    found: list[tuple[str, str, str]] = []
    ends = subscription.trial_ends_at
    if subscription.status == "trialing" and ends is not None and now < ends:
        for days in (3, 1):
            if ends - now <= timedelta(days=days):
                found.append(
                    (
                        f"trial_{days}d",
                        f"Your Levqor trial ends in {days} day{'s' if days > 1 else ''}",
                        f"Your free trial ends on {ends:%-d %B}. Choose a plan to keep your "
                        f"workflows running: {link}\nIf you do not, your workspace becomes "
                        "read-only: nothing is deleted, runs pause until you choose a plan.",
                    )
                )
    grace = subscription.grace_ends_at
    if subscription.status == "past_due" and grace is not None and now < grace:
        found.append(
            (
                "payment_failed",
                "Your Levqor payment failed",
                f"We could not take your last payment. Update your card before {grace:%-d %B} "
                f"to keep your workflows running: {link}",
            )
        )
        if grace - now <= timedelta(days=1):
            found.append(
                (
                    "grace_1d",
                    "Last day to update your card for Levqor",
                    f"Your workspace becomes read-only tomorrow unless the card is updated: {link}",
                )
            )
    return [
        Reminder(subscription.workspace_id, subscription.id, kind, subject, text)
        for kind, subject, text in found
        if kind not in subscription.reminders
    ]


async def due_reminders(session: AsyncSession, now: datetime, base_url: str = "") -> list[Reminder]:
    """Reminders due now, marked as sent on their subscriptions (the caller commits)."""
    query = select(Subscription).where(col(Subscription.status).in_(("trialing", "past_due")))
    due: list[Reminder] = []
    for subscription in (await session.exec(query)).all():
        fresh = _due(subscription, now, base_url)
        if fresh:
            subscription.reminders = [*subscription.reminders, *(r.kind for r in fresh)]
            due += fresh
    return due


async def tick(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    now: datetime | None = None,
) -> Tick:
    """Settle what ran out, then send the reminders due (email to owners; outbox without SMTP)."""
    now = now or utcnow()
    async with sessions() as session:
        result = Tick(
            await settle(session, now), await due_reminders(session, now, settings.public_url)
        )
        result.pruned = await prune(session, now)
        await session.commit()
        for reminder in result.reminders:
            workspace = await session.get(Workspace, reminder.workspace_id)
            query = select(Member).where(
                Member.workspace_id == reminder.workspace_id, Member.role == Role.owner
            )
            owners = [m for m in (await session.exec(query)).all() if m.email]
            for owner in owners:
                assert workspace is not None and owner.email is not None
                mail = AccountMail(
                    to=owner.email,
                    subject=reminder.subject,
                    text=reminder.text,
                    kept_text=reminder.text,
                    key=f"billing:{reminder.subscription_id}:{reminder.kind}:{owner.id}",
                )
                await send_account_mail(settings, sessions, http, workspace, mail)
    return result
