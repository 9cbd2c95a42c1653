"""Referral rewards: when a referred workspace first pays Levqor, both it and the workspace whose
link it came through get a credit on their Levqor bill (a Stripe customer balance credit).

Once per referral: the `paid` and `reward` rows are unique per referral (a replayed or second
payment event finds them), and each Stripe credit carries an idempotency key made of the
referral and the beneficiary, so a retried webhook never credits twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from accounts.subscriptions import subscription_of
from storage.models import ReferralEvent, Workspace


@dataclass(frozen=True)
class Reward:
    """One credit put on a workspace's bill."""

    workspace_id: str
    customer: str
    amount_pence: int


def is_payment(event: dict[str, Any]) -> bool:
    """A paid invoice for money, or a Checkout that was paid (a free trial's £0 does not count)."""
    kind = str(event.get("type", ""))
    obj: dict[str, Any] = dict((event.get("data") or {}).get("object") or {})
    if kind == "invoice.paid":
        return int(obj.get("amount_paid") or 0) > 0
    if kind == "checkout.session.completed":
        return obj.get("payment_status") == "paid"
    return False


async def reward_payment(
    session: AsyncSession,
    client: stripe.StripeClient,
    referred_id: str,
    amount_pence: int,
) -> list[Reward]:
    """Record that a referred workspace pays and credit both sides, the first time only (the
    caller commits; a Stripe error propagates so the event is retried)."""
    query = select(ReferralEvent).where(
        ReferralEvent.kind == "signup", ReferralEvent.referred_workspace_id == referred_id
    )
    signup = (await session.exec(query)).first()
    if signup is None:
        return []
    referrer_id = signup.workspace_id
    query = select(ReferralEvent).where(
        ReferralEvent.kind == "paid",
        ReferralEvent.workspace_id == referrer_id,
        ReferralEvent.referred_workspace_id == referred_id,
    )
    if (await session.exec(query)).first() is not None:
        return []
    session.add(
        ReferralEvent(workspace_id=referrer_id, kind="paid", referred_workspace_id=referred_id)
    )
    await session.flush()  # a second node taking the same payment fails here, before any credit
    if amount_pence <= 0:
        return []
    referrer = await session.get(Workspace, referrer_id)
    referred = await session.get(Workspace, referred_id)
    if referrer is None or referred is None:
        return []
    rewards: list[Reward] = []
    sides = (
        (referrer, f"Levqor referral reward: {referred.name} joined through your link"),
        (referred, f"Levqor referral reward: welcome, from {referrer.name}"),
    )
    for workspace, words in sides:
        if workspace.deleted_at is not None or workspace.deletion_requested_at is not None:
            continue
        customer = await _customer(session, client, workspace)
        if customer is None:
            continue
        await client.v1.customers.balance_transactions.create_async(
            customer,
            params={
                "amount": -amount_pence,  # negative: a credit the next invoices use first
                "currency": plans.CURRENCY,
                "description": words,
                "metadata": {"levqor_referral": referred_id, "levqor_workspace": workspace.id},
            },
            options={"idempotency_key": f"levqor-referral-{referred_id}-{workspace.id}"},
        )
        session.add(
            ReferralEvent(
                workspace_id=workspace.id,
                kind="reward",
                referred_workspace_id=referred_id,
                amount_pence=amount_pence,
            )
        )
        rewards.append(Reward(workspace.id, customer, amount_pence))
    return rewards


async def _customer(
    session: AsyncSession, client: stripe.StripeClient, workspace: Workspace
) -> str | None:
    """The Stripe customer the workspace's bill goes to, made now for one still on its trial."""
    subscription = await subscription_of(session, workspace.id)
    if subscription is None:
        return None  # unmetered: there is no Levqor bill to credit
    if subscription.stripe_customer_id is None:
        customer = await client.v1.customers.create_async(
            params={"name": workspace.name, "metadata": {"levqor_workspace": workspace.id}},
            options={"idempotency_key": f"levqor-customer-referral-{subscription.workspace_id}"},
        )
        subscription.stripe_customer_id = customer.id
    return subscription.stripe_customer_id
