"""Levqor's own Stripe events: deduplicated on event id, correct in any order.

The state is always taken from the subscription object itself — re-fetched from Stripe when a
client is at hand (so a late or repeated event can never roll it back), else from the event's
copy unless an event created later was already applied. Returns the workflows whose state
changed (paused on read-only, resumed on payment) for the caller to re-sync with the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from accounts.stripe_billing import as_dict
from accounts.subscriptions import READ_ONLY, make_read_only, restore, status_at
from storage.models import BillingEvent, Subscription, Workflow
from storage.types import utcnow

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
    }
)
HANDLED = SUBSCRIPTION_EVENTS | {
    "checkout.session.completed",
    "invoice.paid",
    "invoice.payment_failed",
}
_STATUS = {
    "active": "active",
    "trialing": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "canceled",
    "incomplete_expired": "canceled",
    "paused": "read_only",
}


@dataclass
class Outcome:
    """What one event did."""

    applied: bool
    note: str
    changed: list[Workflow] = field(default_factory=list)
    workspace_id: str | None = None  # whose subscription the event was about


async def handle(
    session: AsyncSession,
    event: dict[str, Any],
    client: stripe.StripeClient | None,
    now: datetime | None = None,
) -> Outcome:
    """Apply one verified event (the caller commits); a repeated event id does nothing."""
    now = now or utcnow()
    event_id, kind = str(event.get("id", "")), str(event.get("type", ""))
    if not event_id:
        return Outcome(False, "no event id")
    if await session.get(BillingEvent, event_id) is not None:
        return Outcome(False, "duplicate event")
    session.add(BillingEvent(event_id=event_id, type=kind[:100]))
    try:
        await session.flush()
    except IntegrityError:  # the same event taken in by another node just now
        await session.rollback()
        return Outcome(False, "duplicate event")
    if kind not in HANDLED:
        return Outcome(False, f"ignored {kind}")
    obj: dict[str, Any] = dict(event.get("data", {}).get("object", {}))
    created = int(event.get("created") or 0)
    if kind == "checkout.session.completed":
        sub_id, workspace_id = obj.get("subscription"), obj.get("client_reference_id")
    elif kind.startswith("invoice."):
        sub_id, workspace_id = _invoice_subscription(obj), None
    else:
        sub_id = obj.get("id")
        workspace_id = (obj.get("metadata") or {}).get("levqor_workspace")
    if not sub_id:
        return Outcome(False, "no subscription in the event")
    row = await _row_for(session, str(sub_id), workspace_id, obj.get("customer"))
    if row is None:
        return Outcome(False, "no workspace for this subscription")
    if kind == "customer.subscription.trial_will_end":
        return Outcome(True, "trial ending noted")
    if client is not None:
        fresh = as_dict(await client.v1.subscriptions.retrieve_async(str(sub_id)))
    elif kind in SUBSCRIPTION_EVENTS and created >= row.stripe_event_at:
        fresh = obj
    else:
        return Outcome(False, "stale event and Stripe not reachable: kept the newer state")
    changed = await apply(session, row, fresh, now)
    row.stripe_event_at = max(row.stripe_event_at, created)
    return Outcome(True, f"{row.status} on {row.plan}", changed, row.workspace_id)


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """An invoice's subscription id (top level in older API versions, under `parent` now)."""
    if invoice.get("subscription"):
        return str(invoice["subscription"])
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return str(details["subscription"]) if details.get("subscription") else None


async def _row_for(
    session: AsyncSession, sub_id: str, workspace_id: str | None, customer: Any
) -> Subscription | None:
    query = select(Subscription).where(Subscription.stripe_subscription_id == sub_id)
    row = (await session.exec(query)).first()
    if row is None and workspace_id:
        query = select(Subscription).where(Subscription.workspace_id == workspace_id)
        row = (await session.exec(query)).first()
    if row is None and isinstance(customer, str):
        query = select(Subscription).where(Subscription.stripe_customer_id == customer)
        row = (await session.exec(query)).first()
    if row is not None:
        row.stripe_subscription_id = sub_id
        if isinstance(customer, str):
            row.stripe_customer_id = customer
    return row


def _at(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


async def apply(
    session: AsyncSession, row: Subscription, stripe_sub: dict[str, Any], now: datetime
) -> list[Workflow]:
    """Take plan, interval, status and period from the Stripe subscription object itself."""
    items = (stripe_sub.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    found = plans.by_lookup_key(str(price.get("lookup_key") or ""))
    if found is not None:
        row.plan, row.interval = found[0].key, found[1]
    before = status_at(row, now)
    status = _STATUS.get(str(stripe_sub.get("status")), before)
    start = _at(item.get("current_period_start") or stripe_sub.get("current_period_start"))
    end = _at(item.get("current_period_end") or stripe_sub.get("current_period_end"))
    row.stripe_status = str(stripe_sub.get("status"))
    row.cancel_at_period_end = bool(stripe_sub.get("cancel_at_period_end"))
    if start is not None:
        row.period_start = start
    row.period_end = end
    row.updated_at = now
    row.status = status
    if status == "past_due":  # a grace period, once: `status_at` turns read-only when it ends
        row.grace_ends_at = row.grace_ends_at or now + timedelta(days=plans.GRACE_DAYS)
        return []
    row.grace_ends_at = None
    if status == "active":
        row.trial_ends_at = None
        if before in READ_ONLY or row.paused_workflows:
            return await restore(session, row)
        return []
    if status in READ_ONLY:
        return await make_read_only(session, row)
    return []
