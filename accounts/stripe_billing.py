"""Levqor's own Stripe account: products and prices by lookup key, Checkout, the Customer Portal.

Separate from `integrations.stripe` (the actions customers' workflows run on *their* Stripe):
this uses `STRIPE_BILLING_SECRET_KEY` and never a workspace's connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import plans
from accounts.subscriptions import subscription_of
from storage.config import Settings
from storage.models import Member, Subscription, Workspace


class BillingNotConfigured(Exception):
    """Levqor's Stripe keys are not set: billing pages and routes say so."""


class AlreadySubscribed(Exception):
    """A second Checkout for a workspace that pays already (plan changes go through the Portal)."""


def check_configured(settings: Settings) -> None:
    """Refuse to run billing half set up: a secret key needs its webhook secret, and back."""
    key, hook = settings.stripe_billing_secret_key, settings.stripe_billing_webhook_secret
    if bool(key) != bool(hook):
        raise ValueError(
            "set both STRIPE_BILLING_SECRET_KEY and STRIPE_BILLING_WEBHOOK_SECRET "
            "(Levqor's billing webhooks are refused without their secret), or neither"
        )


@asynccontextmanager
async def billing_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A StripeClient on Levqor's own key (`STRIPE_API_BASE` points it at a local fake)."""
    if not settings.stripe_billing_secret_key:
        raise BillingNotConfigured(
            "billing is not set up on this server: set STRIPE_BILLING_SECRET_KEY"
        )
    http_client = stripe.HTTPXClient(timeout=20)
    client = stripe.StripeClient(
        api_key=settings.stripe_billing_secret_key,
        base_addresses={"api": settings.stripe_api_base},
        http_client=http_client,
        max_network_retries=2,
    )
    try:
        yield client
    finally:
        await http_client.close_async()  # type: ignore[no-untyped-call]


def product_id(plan: plans.Plan) -> str:
    """The Stripe product's own id for a plan (fixed, so `setup` finds it again)."""
    return f"levqor_{plan.key}"


@dataclass
class SetupResult:
    """What `levqor billing setup` did: ids created and ids found already there."""

    created: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


async def setup(client: stripe.StripeClient) -> SetupResult:
    """Create whatever of the plans' products and prices is missing; safe to run again."""
    result = SetupResult()
    for plan in plans.PLANS:
        try:
            await client.v1.products.retrieve_async(product_id(plan))
            result.found.append(product_id(plan))
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
            await client.v1.products.create_async(
                params={
                    "id": product_id(plan),
                    "name": f"Levqor {plan.name}",
                    "metadata": {"levqor_plan": plan.key},
                }
            )
            result.created.append(product_id(plan))
        for interval in plans.INTERVALS:
            key = plan.lookup_key(interval)
            if await price_for(client, key) is not None:
                result.found.append(key)
                continue
            await client.v1.prices.create_async(
                params={
                    "product": product_id(plan),
                    "currency": plans.CURRENCY,
                    "unit_amount": plan.price_pence(interval),
                    "recurring": {"interval": "month" if interval == "monthly" else "year"},
                    "lookup_key": key,
                    "metadata": {"levqor_plan": plan.key, "levqor_interval": interval},
                }
            )
            result.created.append(key)
    return result


async def price_for(client: stripe.StripeClient, lookup_key: str) -> str | None:
    """The active price id with this lookup key, if there is one."""
    found = await client.v1.prices.list_async(params={"lookup_keys": [lookup_key], "active": True})
    return found.data[0].id if found.data else None


async def checkout_url(
    client: stripe.StripeClient,
    settings: Settings,
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    plan: plans.Plan,
    interval: plans.Interval,
) -> str:
    """A Checkout Session for the plan; the workspace's Stripe customer is made once and kept."""
    price = await price_for(client, plan.lookup_key(interval))
    if price is None:
        raise BillingNotConfigured("the plans are not in Stripe yet: run `levqor billing setup`")
    subscription = await subscription_of(session, workspace.id)
    if subscription is None or subscription.workspace_id != workspace.id:
        raise BillingNotConfigured("this workspace has no Levqor plan to pay for")
    if subscription.stripe_subscription_id and subscription.status in ("active", "past_due"):
        raise AlreadySubscribed(
            "this workspace already pays for a plan: change it in Manage billing (the Portal)"
        )
    if subscription.stripe_customer_id is None:
        customer = await client.v1.customers.create_async(
            params={
                "email": member.email or "",
                "name": workspace.name,
                "metadata": {"levqor_workspace": workspace.id},
            },
            options={"idempotency_key": f"levqor-customer-{workspace.id}"},
        )
        subscription.stripe_customer_id = customer.id
    base = settings.public_url.rstrip("/")
    checkout = await client.v1.checkout.sessions.create_async(
        params={
            "mode": "subscription",
            "customer": subscription.stripe_customer_id,
            "client_reference_id": workspace.id,
            "line_items": [{"price": price, "quantity": 1}],
            "subscription_data": {"metadata": {"levqor_workspace": workspace.id}},
            "success_url": f"{base}/billing?checkout=done",
            "cancel_url": f"{base}/billing",
        }
    )
    return str(checkout.url)


async def portal_url(
    client: stripe.StripeClient, settings: Settings, subscription: Subscription
) -> str:
    """A Customer Portal session (card, plan, invoices, cancellation), back to `/billing`."""
    if subscription.stripe_customer_id is None:
        raise BillingNotConfigured("choose a plan first: there is no billing account yet")
    portal = await client.v1.billing_portal.sessions.create_async(
        params={
            "customer": subscription.stripe_customer_id,
            "return_url": f"{settings.public_url.rstrip('/')}/billing",
        }
    )
    return str(portal.url)


def as_dict(obj: Any) -> dict[str, Any]:
    """A StripeObject (or plain dict) as plain data."""
    if isinstance(obj, stripe.StripeObject):
        return dict(obj.to_dict())
    return dict(obj)


@dataclass(frozen=True)
class InvoiceLine:
    """One of the workspace's Levqor invoices, for the billing page."""

    date: str
    amount: str
    status: str
    url: str | None


async def invoices(
    client: stripe.StripeClient, customer_id: str, limit: int = 12
) -> list[InvoiceLine]:
    """The customer's latest invoices, newest first, in words."""
    found = await client.v1.invoices.list_async(params={"customer": customer_id, "limit": limit})
    lines = []
    for row in found.data:
        invoice = as_dict(row)
        pence = int(invoice.get("amount_paid") or invoice.get("amount_due") or 0)
        at = datetime.fromtimestamp(int(invoice.get("created") or 0), UTC)
        lines.append(
            InvoiceLine(
                date=f"{at:%-d %B %Y}",
                amount=plans.money(pence),
                status=str(invoice.get("status") or "").replace("_", " "),
                url=invoice.get("hosted_invoice_url"),
            )
        )
    return lines
