"""A stateful fake of Levqor's own Stripe account on loopback, for exactly the calls billing uses.

localstripe (PyPI) runs on this Python but speaks Stripe's pre-2018 Plans API: it has no Prices
or lookup keys, no Checkout Sessions and no Customer Portal — nearly every call Levqor's billing
makes — so this fake keeps products, prices (by lookup key), customers, Checkout and Portal
sessions and subscriptions, serves a Checkout page and a Portal page a browser can click, and
sends Stripe-signed events (`t=…,v1=HMAC-SHA256`) to Levqor's webhook.

async with FakeStripeBilling.running(key, webhook_secret) as stripe_fake:
    stripe_fake.webhook_url = f"{levqor}/billing/stripe/webhook"
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.openai_server import serve_loopback
from tests.fakes.stripe_api import _nested

MONTH, YEAR = 30 * 86400, 365 * 86400


class FakeStripeBilling:
    """Levqor's Stripe account in memory; `events` keeps every event it sent, in order."""

    def __init__(self, key: str, webhook_secret: str) -> None:
        self.key, self.webhook_secret = key, webhook_secret
        self.url = ""
        self.webhook_url = ""
        self.objects: dict[str, dict[str, dict[str, Any]]] = {
            k: {}
            for k in ("products", "prices", "customers", "sessions", "portals", "subs", "invoices")
        }
        self.idempotent: dict[str, dict[str, Any]] = {}  # Idempotency-Key → the object made
        self.events: list[dict[str, Any]] = []
        self.creates: list[str] = []  # `kind:id` of every object created through the API
        self.deliver = True  # False: keep events without sending them (tests send them)
        self.clock = int(time.time())
        self._ids = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(cls, key: str, webhook_secret: str) -> AsyncIterator[FakeStripeBilling]:
        """Serve the fake on a free loopback port for the duration of the block."""
        fake = cls(key, webhook_secret)
        async with serve_loopback(fake.app()) as url:
            fake.url = url
            yield fake

    def app(self) -> Starlette:
        """The Stripe API routes billing uses, and the pages a browser clicks through."""
        return Starlette(
            routes=[
                Route("/v1/products/{id}", self._get_product, methods=["GET"]),
                Route("/v1/products", self._create_product, methods=["POST"]),
                Route("/v1/prices", self._list_prices, methods=["GET"]),
                Route("/v1/prices", self._create_price, methods=["POST"]),
                Route("/v1/customers", self._create_customer, methods=["POST"]),
                Route("/v1/customers/{id}/balance_transactions", self._credit, methods=["POST"]),
                Route("/v1/checkout/sessions", self._create_session, methods=["POST"]),
                Route("/v1/billing_portal/sessions", self._create_portal, methods=["POST"]),
                Route("/v1/subscriptions/{id}", self._get_sub, methods=["GET"]),
                Route("/v1/invoices", self._list_invoices, methods=["GET"]),
                Route("/checkout/{id}", self._checkout_page, methods=["GET", "POST"]),
                Route("/portal/{id}", self._portal_page, methods=["GET", "POST"]),
            ]
        )

    # -- the API ---------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}"

    async def _params(self, request: Request) -> tuple[dict[str, Any], Response | None]:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return {}, _error(401, "Invalid API Key provided")
        if request.method == "GET":
            return _nested(request.url.query), None
        return _nested((await request.body()).decode()), None

    def _store(self, kind: str, row: dict[str, Any]) -> dict[str, Any]:
        self.objects[kind][row["id"]] = row
        self.creates.append(f"{kind}:{row['id']}")
        return row

    async def _get_product(self, request: Request) -> Response:
        _, refused = await self._params(request)
        row = self.objects["products"].get(request.path_params["id"])
        return refused or (JSONResponse(row) if row else _missing())

    async def _create_product(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        if params.get("id") in self.objects["products"]:
            return _error(400, "Product already exists.", "resource_already_exists")
        row = {"object": "product", "id": params.get("id") or self._new_id("prod"), **params}
        return JSONResponse(self._store("products", row))

    async def _list_prices(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        keys = params.get("lookup_keys") or []
        rows = [p for p in self.objects["prices"].values() if p.get("lookup_key") in keys]
        return JSONResponse(
            {"object": "list", "data": rows, "has_more": False, "url": "/v1/prices"}
        )

    async def _create_price(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        row = {
            "object": "price",
            "id": self._new_id("price"),
            "active": True,
            "unit_amount": int(params["unit_amount"]),
            "currency": params["currency"],
            "product": params["product"],
            "lookup_key": params.get("lookup_key"),
            "recurring": params.get("recurring"),
            "metadata": params.get("metadata", {}),
        }
        return JSONResponse(self._store("prices", row))

    async def _create_customer(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        row = {"object": "customer", "id": self._new_id("cus"), **params}
        return JSONResponse(self._store("customers", row))

    async def _credit(self, request: Request) -> Response:
        """A customer balance transaction (negative: a credit); `balance` sums them, as in Stripe;
        a repeated Idempotency-Key returns the first result and changes nothing."""
        params, refused = await self._params(request)
        customer = self.objects["customers"].get(request.path_params["id"])
        if refused or customer is None:
            return refused or _missing()
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotent:
            return JSONResponse(self.idempotent[key])
        amount = int(params["amount"])
        customer["balance"] = int(customer.get("balance", 0)) + amount
        row: dict[str, Any] = {"object": "customer_balance_transaction"}
        row |= {"id": self._new_id("cbtxn")}
        row |= {"customer": customer["id"], "amount": amount, "ending_balance": customer["balance"]}
        row |= {"currency": params["currency"], "description": params.get("description")}
        if key:
            self.idempotent[key] = row
        return JSONResponse(row)

    async def _create_session(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        sid = self._new_id("cs")
        row = {
            "object": "checkout.session",
            "id": sid,
            "url": f"{self.url}/checkout/{sid}",
            "status": "open",
            "subscription": None,
            **params,
        }
        return JSONResponse(self._store("sessions", row))

    async def _create_portal(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        pid = self._new_id("bps")
        row = {"object": "billing_portal.session", "id": pid, "url": f"{self.url}/portal/{pid}"}
        return JSONResponse(self._store("portals", row | params))

    async def _get_sub(self, request: Request) -> Response:
        _, refused = await self._params(request)
        row = self.objects["subs"].get(request.path_params["id"])
        return refused or (JSONResponse(row) if row else _missing())

    # -- the pages a customer clicks ---------------------------------------------------------

    async def _checkout_page(self, request: Request) -> Response:
        session = self.objects["sessions"].get(request.path_params["id"])
        if session is None:
            return HTMLResponse("no such checkout", status_code=404)
        price = self.objects["prices"][session["line_items"][0]["price"]]
        if request.method == "GET":
            return HTMLResponse(
                f"<h1>Pay Levqor</h1><p>{price['lookup_key']}: {price['unit_amount']} "
                f"{price['currency']}</p><form method=post><button>Pay</button></form>"
            )
        await self.complete_checkout(session["id"])
        return RedirectResponse(session["success_url"], status_code=303)

    async def _portal_page(self, request: Request) -> Response:
        portal = self.objects["portals"].get(request.path_params["id"])
        if portal is None:
            return HTMLResponse("no such portal", status_code=404)
        if request.method == "GET":
            return HTMLResponse(
                "<h1>Manage your Levqor plan</h1>"
                "<form method=post><button>Cancel plan</button></form>"
            )
        sub = next(s for s in self.objects["subs"].values() if s["customer"] == portal["customer"])
        await self.update_sub(sub["id"], cancel_at_period_end=True)
        return RedirectResponse(portal["return_url"], status_code=303)

    # -- what happens in Stripe over time (tests call these) ---------------------------------

    async def complete_checkout(self, session_id: str) -> dict[str, Any]:
        """The customer paid: a subscription, its first invoice paid, and the events."""
        session = self.objects["sessions"][session_id]
        price = self.objects["prices"][session["line_items"][0]["price"]]
        length = YEAR if price["recurring"]["interval"] == "year" else MONTH
        sub_id = self._new_id("sub")
        item = {
            "object": "subscription_item",
            "id": self._new_id("si"),
            "price": price,
            "current_period_start": self.clock,
            "current_period_end": self.clock + length,
        }
        sub = {
            "object": "subscription",
            "id": sub_id,
            "customer": session["customer"],
            "status": "active",
            "cancel_at_period_end": False,
            "metadata": session.get("subscription_data", {}).get("metadata", {}),
            "items": {"object": "list", "data": [item], "has_more": False},
        }
        self._store("subs", sub)
        session.update(status="complete", subscription=sub_id)
        await self.emit("checkout.session.completed", session)
        await self.emit("customer.subscription.created", sub)
        await self.emit("invoice.paid", self._invoice(sub, "paid"))
        return sub

    async def update_sub(self, sub_id: str, **changes: Any) -> dict[str, Any]:
        """Change a subscription (status, cancel_at_period_end) and send `updated`."""
        sub = self.objects["subs"][sub_id]
        sub.update(changes)
        await self.emit("customer.subscription.updated", sub)
        return sub

    async def fail_payment(self, sub_id: str) -> None:
        """A renewal payment failed: past due, `invoice.payment_failed`."""
        await self.update_sub(sub_id, status="past_due")
        await self.emit(
            "invoice.payment_failed", self._invoice(self.objects["subs"][sub_id], "open")
        )

    async def pay(self, sub_id: str) -> None:
        """The card works again: active, `invoice.paid`."""
        await self.update_sub(sub_id, status="active")
        await self.emit("invoice.paid", self._invoice(self.objects["subs"][sub_id], "paid"))

    async def end(self, sub_id: str) -> None:
        """The period ended on a canceled subscription: `customer.subscription.deleted`."""
        sub = self.objects["subs"][sub_id]
        sub["status"] = "canceled"
        await self.emit("customer.subscription.deleted", sub)

    def _invoice(self, sub: dict[str, Any], status: str) -> dict[str, Any]:
        price = sub["items"]["data"][0]["price"]
        iid = self._new_id("in")
        row = {
            "object": "invoice",
            "id": iid,
            "status": status,
            "customer": sub["customer"],
            "created": self.clock,
            "currency": price["currency"],
            "amount_due": price["unit_amount"],
            "amount_paid": price["unit_amount"] if status == "paid" else 0,
            "hosted_invoice_url": f"{self.url}/invoice/{iid}",
            "parent": {"subscription_details": {"subscription": sub["id"]}},
        }
        self.objects["invoices"][iid] = row
        return row

    async def _list_invoices(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        rows = [
            i for i in self.objects["invoices"].values() if i["customer"] == params.get("customer")
        ]
        rows.sort(key=lambda i: i["created"], reverse=True)
        page = {"object": "list", "has_more": False, "url": "/v1/invoices"}
        return JSONResponse(page | {"data": rows[: int(params.get("limit", 10))]})

    # -- events ----------------------------------------------------------------------------

    async def emit(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Record an event (a snapshot of `obj` now) and, if delivering, send it signed."""
        self.clock += 1
        event = {
            "object": "event",
            "id": self._new_id("evt"),
            "type": kind,
            "created": self.clock,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        self.events.append(event)
        if self.deliver and self.webhook_url:
            await self.send(event)
        return event

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


def sign(secret: str, body: bytes, at: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header for `body`."""
    stamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def _error(status: int, message: str, code: str | None = None) -> JSONResponse:
    body = {"error": {"type": "invalid_request_error", "message": message, "code": code}}
    return JSONResponse(body, status_code=status)


def _missing() -> JSONResponse:
    return _error(404, "No such object", "resource_missing")
