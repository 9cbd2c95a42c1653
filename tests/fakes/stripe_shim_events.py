"""The shim's events: relaying localstripe's Stripe-signed webhooks to Levqor (with `price` added
and `invoice.paid` beside `invoice.payment_succeeded`), sending the events localstripe does not,
and driving localstripe through what happens to a subscription over time (a renewal whose
payment fails, paying it, the end of a canceled subscription)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx
import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

# What Levqor's billing endpoint subscribes to in Stripe (docs/billing.md, "Setting up Stripe").
SUBSCRIBED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
GOOD_CARD, AUTH_CARD = (
    "4242424242424242",
    "4000002500003155",
)  # Stripe's (and localstripe's) test cards


def sign(secret: str, body: bytes, at: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header for `body`."""
    stamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


class ShimEvents:
    """`events` is every event sent (or, with `deliver` off, kept) for Levqor's endpoint."""

    def __init__(self, webhook_secret: str) -> None:
        self.webhook_secret = webhook_secret
        self.webhook_url = ""
        self.deliver = True  # False: keep events without sending them (the test sends them)
        self.events: list[dict[str, Any]] = []
        self.answers: list[int] = []  # Levqor's status code for each event delivered
        self.received: set[str] = set()  # ids of the events received from localstripe
        self._sending = asyncio.Lock()

    async def call(self, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError  # StripeShim.call

    # -- from localstripe ----------------------------------------------------------------------

    async def relay(self, request: Request) -> Response:
        """localstripe's webhook, checked, completed as Stripe would send it, and forwarded."""
        from tests.fakes.stripe_shim import with_prices

        body = await request.body()
        try:
            stripe.WebhookSignature.verify_header(
                body.decode(), request.headers.get("stripe-signature", ""), self.webhook_secret
            )
        except stripe.SignatureVerificationError:
            return JSONResponse({"error": "bad signature"}, status_code=400)
        event: dict[str, Any] = json.loads(body)
        try:
            with_prices(event["data"]["object"])
            if event["type"] == "invoice.payment_succeeded":
                await self.record({**event, "id": f"{event['id']}_paid", "type": "invoice.paid"})
            elif event["type"] in SUBSCRIBED:
                await self.record(event)
        finally:
            self.received.add(event["id"])
        return JSONResponse({"received": True})

    async def settle(self, within: float = 30) -> None:
        """Wait until every event localstripe made so far has come through the shim (localstripe
        sends each about a second after it happens)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            missing = await self._made() - self.received
            if not missing and not self._sending.locked():
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"localstripe events not delivered: {sorted(missing)}")
            await asyncio.sleep(0.05)

    async def _made(self) -> set[str]:
        """The ids of every event localstripe holds."""
        ids: set[str] = set()
        after = ""
        while True:
            page = await self.call("GET", f"/v1/events?limit=100{after}")
            ids |= {row["id"] for row in page["data"]}
            if not page["has_more"]:
                return ids
            after = f"&starting_after={page['data'][-1]['id']}"

    # -- to Levqor -----------------------------------------------------------------------------

    async def emit(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An event localstripe does not send, made here from the object's current state."""
        event = {
            "object": "event",
            "id": f"evt_shim_{secrets.token_hex(7)}",
            "type": kind,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        await self.record(event)
        return event

    async def record(self, event: dict[str, Any]) -> None:
        """Keep the event and, if delivering, send it (one at a time, as they are made)."""
        async with self._sending:
            self.events.append(event)
            if self.deliver and self.webhook_url:
                self.answers.append((await self.send(event)).status_code)

    async def send(self, event: dict[str, Any], secret: str | None = None) -> httpx.Response:
        """POST one event to Levqor's webhook, signed like Stripe (with `secret`, if given)."""
        body = json.dumps(event).encode()
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(
                self.webhook_url,
                content=body,
                headers={
                    "content-type": "application/json",
                    "stripe-signature": sign(secret or self.webhook_secret, body),
                },
            )

    # -- what happens in localstripe over time (tests call these) ------------------------------

    async def use_card(self, customer: str, number: str) -> None:
        """Attach a test card to the customer in localstripe and make it the default."""
        card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        method = await self.call("POST", "/v1/payment_methods", {"type": "card", "card": card})
        await self.call(
            "POST", f"/v1/payment_methods/{method['id']}/attach", {"customer": customer}
        )
        settings = {"default_payment_method": method["id"]}
        await self.call("POST", f"/v1/customers/{customer}", {"invoice_settings": settings})

    async def renew(self, sub_id: str) -> dict[str, Any]:
        """The next invoice of the subscription, paid with the customer's default card."""
        sub = await self.call("GET", f"/v1/subscriptions/{sub_id}")
        invoice = await self.call(
            "POST", "/v1/invoices", {"customer": sub["customer"], "subscription": sub_id}
        )
        paid: dict[str, Any] = await self.call("POST", f"/v1/invoices/{invoice['id']}/pay")
        return paid

    async def fail_payment(self, sub_id: str) -> str:
        """A renewal whose card payment fails (the bank refuses authentication): localstripe
        makes the subscription `past_due` and sends `invoice.payment_failed`; returns the
        open invoice's id."""
        sub = await self.call("GET", f"/v1/subscriptions/{sub_id}")
        await self.use_card(sub["customer"], AUTH_CARD)
        invoice = await self.renew(sub_id)
        intent = await self.call("GET", f"/v1/payment_intents/{invoice['payment_intent']}")
        await self.call(
            "POST",
            f"/v1/payment_intents/{intent['id']}/_authenticate",
            {"client_secret": intent["client_secret"], "success": False},
        )
        return str(invoice["id"])

    async def pay(self, sub_id: str, invoice_id: str) -> None:
        """The customer puts a working card in and the open invoice is paid: `active` again."""
        sub = await self.call("GET", f"/v1/subscriptions/{sub_id}")
        await self.use_card(sub["customer"], GOOD_CARD)
        await self.call("POST", f"/v1/invoices/{invoice_id}/pay")

    async def end(self, sub_id: str) -> None:
        """The period of a subscription set to cancel is over: localstripe cancels it and sends
        `customer.subscription.deleted`."""
        await self.call("DELETE", f"/v1/subscriptions/{sub_id}")
