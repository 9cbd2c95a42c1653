"""Levqor's own billing over HTTP: `GET /api/billing`, Checkout and Portal links, and the
Stripe webhook for Levqor's account (`POST /billing/stripe/webhook`)."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import stripe
from fastapi import APIRouter, Request
from pydantic import BaseModel

from accounts import plans, referral_rewards
from accounts.billing import summary
from accounts.billing_events import handle
from accounts.stripe_billing import (
    AlreadySubscribed,
    BillingNotConfigured,
    billing_client,
    checkout_url,
    portal_url,
)
from accounts.subscriptions import subscription_of
from bot.api.deps import PrincipalDep, RuntimeDep, SessionDep, TenantDep
from bot.api.responses import AUTHENTICATED
from storage.models import Member, Role, Workspace
from workflows.errors import BadRequest, Conflict, Forbidden, Unauthorized, Unavailable
from workflows.runtime import Runtime

router = APIRouter(tags=["billing"], responses=AUTHENTICATED)
log = logging.getLogger(__name__)


class CheckoutIn(BaseModel):
    """The plan to pay for, monthly or annual."""

    plan: Literal["launch", "growth", "scale", "agency"]
    interval: plans.Interval = "monthly"


class LinkOut(BaseModel):
    """Where to send the owner: Stripe Checkout or the Customer Portal."""

    url: str


@router.get("/api/billing")
async def read_billing(tenant: TenantDep) -> dict[str, Any]:
    """The workspace's plan, status (`trialing`, `active`, `past_due`, `read_only`, `canceled`),
    trial end, current period, and usage against the plan's limits."""
    return (await summary(tenant.session, tenant.workspace_id)).as_json()


def owner_only(member: Member) -> None:
    """A plan change is class C: only an owner, who then confirms the payment in Stripe."""
    if member.role != Role.owner:
        raise Forbidden("only an owner can change the plan or the billing details")


async def start_checkout(
    runtime: Runtime, session: Any, workspace: Workspace, member: Member, body: CheckoutIn
) -> str:
    """The Checkout URL for this workspace and plan (commits the Stripe customer it made)."""
    owner_only(member)
    try:
        async with billing_client(runtime.settings) as client:
            url = await checkout_url(
                client,
                runtime.settings,
                session,
                workspace,
                member,
                plans.plan_named(body.plan),
                body.interval,
            )
    except BillingNotConfigured as exc:
        raise Conflict(str(exc)) from None
    except AlreadySubscribed as exc:
        raise Conflict(str(exc)) from None
    await session.commit()
    return url


async def open_portal(runtime: Runtime, session: Any, workspace: Workspace, member: Member) -> str:
    """The Customer Portal URL for this workspace."""
    owner_only(member)
    subscription = await subscription_of(session, workspace.id)
    if subscription is None or subscription.workspace_id != workspace.id:
        raise Conflict("this workspace has no Levqor plan to manage")
    try:
        async with billing_client(runtime.settings) as client:
            return await portal_url(client, runtime.settings, subscription)
    except BillingNotConfigured as exc:
        raise Conflict(str(exc)) from None


@router.post("/api/billing/checkout")
async def checkout(
    body: CheckoutIn, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> LinkOut:
    """A Stripe Checkout link for `plan` billed `interval` (owners)."""
    return LinkOut(
        url=await start_checkout(runtime, session, principal.workspace, principal.member, body)
    )


@router.post("/api/billing/portal")
async def portal(principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep) -> LinkOut:
    """A Stripe Customer Portal link: card, plan, invoices, cancellation (owners)."""
    return LinkOut(url=await open_portal(runtime, session, principal.workspace, principal.member))


@router.post("/billing/stripe/webhook", include_in_schema=False)
async def stripe_webhook(
    request: Request, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Levqor's own Stripe events, checked with `STRIPE_BILLING_WEBHOOK_SECRET`."""
    secret = runtime.settings.stripe_billing_webhook_secret
    if not secret:
        raise Unavailable("billing webhooks are not set up: set STRIPE_BILLING_WEBHOOK_SECRET")
    payload = (await request.body()).decode("utf-8", "replace")
    try:
        stripe.WebhookSignature.verify_header(
            payload, request.headers.get("stripe-signature", ""), secret, tolerance=300
        )
    except stripe.SignatureVerificationError:
        raise Unauthorized("wrong or missing Stripe signature") from None
    try:
        event = json.loads(payload)
    except json.JSONDecodeError:
        raise BadRequest("the event is not JSON") from None
    async with billing_client(runtime.settings) as client:
        outcome = await handle(session, event, client)
        if outcome.applied and outcome.workspace_id and referral_rewards.is_payment(event):
            amount = runtime.settings.referral_credit_pence
            await referral_rewards.reward_payment(session, client, outcome.workspace_id, amount)
    await session.commit()
    for workflow in outcome.changed:
        await runtime.sync_workflow(workflow)
    log.info("billing event %s (%s): %s", event.get("id"), event.get("type"), outcome.note)
    return {"received": True, "applied": outcome.applied}
