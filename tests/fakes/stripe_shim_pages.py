"""Checkout Sessions and Billing Portal sessions for the shim (localstripe has neither).

Checkout: `POST /v1/checkout/sessions` keeps the session and answers with a URL to a page with a
**Pay** button. Paying attaches Stripe's test card 4242… to the customer, creates the
subscription *in localstripe* on the session's price (localstripe charges the first invoice and
sends `customer.subscription.created` and `invoice.payment_succeeded`), then sends the signed
`checkout.session.completed` that localstripe cannot, and goes back to `success_url`.

Portal: `POST /v1/billing_portal/sessions` answers with a URL to a page that switches the
customer's localstripe subscription to another price or sets it to cancel at the period's end
(each followed by `customer.subscription.updated`), then goes back to `return_url`.
"""

from __future__ import annotations

import html
import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.stripe_shim_events import GOOD_CARD

if TYPE_CHECKING:
    from tests.fakes.stripe_shim import StripeShim


def page_routes(shim: StripeShim) -> list[Route]:
    """The API routes that make sessions and the pages a browser clicks through."""

    async def create_checkout(request: Request) -> Response:
        params, refused = await shim._params(request)
        if refused:
            return refused
        sid = f"cs_test_{secrets.token_hex(7)}"
        shim.checkouts[sid] = {
            **params,
            "object": "checkout.session",
            "id": sid,
            "url": f"{shim.url}/checkout/{sid}",
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
        }
        return JSONResponse(shim.checkouts[sid])

    async def create_portal(request: Request) -> Response:
        params, refused = await shim._params(request)
        if refused:
            return refused
        pid = f"bps_{secrets.token_hex(7)}"
        url = f"{shim.url}/portal/{pid}"
        shim.portals[pid] = {**params, "object": "billing_portal.session", "id": pid, "url": url}
        return JSONResponse(shim.portals[pid])

    async def checkout_page(request: Request) -> Response:
        session = shim.checkouts.get(request.path_params["id"])
        if session is None:
            return HTMLResponse("no such checkout", status_code=404)
        if request.method == "POST":
            await complete_checkout(shim, session["id"])
            return RedirectResponse(session["success_url"], status_code=303)
        price = await shim.price(session["line_items"][0]["price"])
        return HTMLResponse(
            f"<h1>Pay Levqor</h1><p>{html.escape(str(price['lookup_key']))}: "
            f"{price['unit_amount']} {price['currency']}</p>"
            "<form method=post><button>Pay</button></form>"
        )

    async def portal_page(request: Request) -> Response:
        portal = shim.portals.get(request.path_params["id"])
        if portal is None:
            return HTMLResponse("no such portal", status_code=404)
        subs = (await shim.call("GET", f"/v1/subscriptions?customer={portal['customer']}"))["data"]
        if request.method == "POST":
            form = await request.form()
            sub = subs[0]
            if form.get("action") == "cancel":
                await shim.update_sub(sub["id"], cancel_at_period_end=True)
            else:
                item = {"id": sub["items"]["data"][0]["id"], "plan": str(form.get("price"))}
                await shim.update_sub(sub["id"], items=[item])
            return RedirectResponse(portal["return_url"], status_code=303)
        now = subs[0]["items"]["data"][0]["price"]["lookup_key"] if subs else None
        switches = "".join(
            f'<form method=post><input type=hidden name=price value="{p["id"]}">'
            f"<button>Switch to {html.escape(p['lookup_key'])}</button></form>"
            for p in await shim.prices()
            if p["lookup_key"] != now
        )
        return HTMLResponse(
            f"<h1>Manage your Levqor plan</h1><p>Now: {html.escape(str(now))}</p>{switches}"
            "<form method=post><input type=hidden name=action value=cancel>"
            "<button>Cancel plan</button></form>"
        )

    return [
        Route("/v1/checkout/sessions", create_checkout, methods=["POST"]),
        Route("/v1/billing_portal/sessions", create_portal, methods=["POST"]),
        Route("/checkout/{id}", checkout_page, methods=["GET", "POST"]),
        Route("/portal/{id}", portal_page, methods=["GET", "POST"]),
    ]


async def complete_checkout(shim: StripeShim, session_id: str) -> dict[str, Any]:
    """The customer paid: card, subscription and first invoice in localstripe, then
    `checkout.session.completed`; returns the localstripe subscription."""
    session = shim.checkouts[session_id]
    await shim.use_card(session["customer"], GOOD_CARD)
    metadata = (session.get("subscription_data") or {}).get("metadata") or {}
    sub: dict[str, Any] = await shim.call(
        "POST",
        "/v1/subscriptions",
        {
            "customer": session["customer"],
            "items": [{"plan": session["line_items"][0]["price"]}],
            "metadata": metadata,
        },
    )
    session.update(status="complete", payment_status="paid", subscription=sub["id"])
    await shim.emit("checkout.session.completed", session)
    return sub
