"""Web page: `/billing` — plan, status, trial days left, renewal, usage meters, plan choices."""

from __future__ import annotations

import logging
from typing import Annotated

import stripe
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from accounts import plans
from accounts.billing import summary
from accounts.stripe_billing import InvoiceLine, billing_client, invoices
from accounts.subscriptions import subscription_of
from bot.api.billing import CheckoutIn, open_portal, start_checkout
from bot.security_headers import CSP
from bot.web.auth import CsrfChecked, PageContext
from bot.web.render import render
from storage.config import Settings
from workflows.errors import BadRequest

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
STRIPE_PAGES = ("https://checkout.stripe.com", "https://billing.stripe.com")


@router.get("/billing", response_class=HTMLResponse)
async def billing_page(request: Request, ctx: PageContext, plan: str | None = None) -> HTMLResponse:
    """The workspace's billing; `?plan=growth` preselects a plan to change to."""
    state = await summary(ctx.tenant.session, ctx.tenant.workspace_id)
    bills, bills_problem = await _invoices(ctx)
    choices = [
        {
            "plan": p,
            "monthly": plans.money(p.monthly_pence),
            "annual": plans.money(p.annual_pence),
        }
        for p in plans.PLANS
    ]
    response = render(
        request,
        "billing/index.html",
        ctx.user,
        title="Billing",
        state=state,
        choices=choices,
        chosen=plan if plan in plans.BY_KEY else None,
        is_owner=ctx.user.member.role.value == "owner",
        discount=plans.ANNUAL_DISCOUNT_PERCENT,
        invoices=bills,
        invoices_problem=bills_problem,
    )
    response.headers["content-security-policy"] = billing_csp(ctx.runtime.settings)
    return response


async def _invoices(ctx: PageContext) -> tuple[list[InvoiceLine], str | None]:
    """The workspace's invoices from Stripe, or why they cannot be shown now."""
    subscription = await subscription_of(ctx.tenant.session, ctx.tenant.workspace_id)
    customer = subscription.stripe_customer_id if subscription else None
    if customer is None or not ctx.runtime.settings.stripe_billing_secret_key:
        return [], None
    try:
        async with billing_client(ctx.runtime.settings) as client:
            return await invoices(client, customer), None
    except stripe.StripeError:
        log.warning("could not list invoices from Stripe", exc_info=True)
        return [], "Invoices cannot be shown right now; Manage billing lists them too."


def billing_csp(settings: Settings) -> str:
    """The site's CSP, except that this page's forms may lead on to Stripe Checkout and Portal."""
    hosts = [*STRIPE_PAGES]
    if settings.stripe_api_base.rstrip("/") != "https://api.stripe.com":
        hosts.append(settings.stripe_api_base.rstrip("/"))  # a local Stripe in tests
    return CSP.replace("form-action 'self'", f"form-action 'self' {' '.join(hosts)}")


@router.post("/billing/checkout", dependencies=[CsrfChecked])
async def checkout(
    ctx: PageContext, plan: Annotated[str, Form()], interval: Annotated[str, Form()] = "monthly"
) -> Response:
    """Send the owner to Stripe Checkout for the chosen plan."""
    try:
        body = CheckoutIn.model_validate({"plan": plan, "interval": interval})
    except ValidationError:
        names = ", ".join(p.name for p in plans.PLANS)
        raise BadRequest(f"choose one of the plans ({names}), monthly or yearly") from None
    url = await start_checkout(
        ctx.runtime, ctx.tenant.session, ctx.user.workspace, ctx.user.member, body
    )
    return RedirectResponse(url, status_code=303)


@router.post("/billing/portal", dependencies=[CsrfChecked])
async def portal(ctx: PageContext) -> Response:
    """Send the owner to the Stripe Customer Portal."""
    url = await open_portal(ctx.runtime, ctx.tenant.session, ctx.user.workspace, ctx.user.member)
    return RedirectResponse(url, status_code=303)
