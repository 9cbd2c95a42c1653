"""A thin shim in front of real localstripe: it forwards every request to localstripe unchanged
and adds only what localstripe 1.15 lacks and Levqor's billing needs.

What it adds (everything else — products, plans, customers, payment methods, subscriptions,
invoices, payments, their events and webhook signing — is localstripe's own):

- **Prices with lookup keys**: `POST /v1/prices` creates a localstripe *Plan* whose id is the
  price id and whose `nickname` holds the lookup key, so a subscription localstripe makes with
  that plan is on that price; `GET /v1/prices?lookup_keys[]=…` lists plans by that nickname.
- **`price` on subscription items**: every subscription (or list of them) localstripe returns,
  and every subscription in a webhook it sends, gets `items.data[].price` mirroring the item's
  `plan`, with its lookup key.
- **Customer balance transactions**: `POST /v1/customers/{id}/balance_transactions` moves the
  localstripe customer's `account_balance` (which localstripe's invoices already deduct),
  honouring `Idempotency-Key` as Stripe does.
- **Checkout Sessions and Billing Portal sessions** (`stripe_shim_pages`): their objects, a page
  a browser can click, and on completion the customer's card, subscription and first invoice
  made *in localstripe*.
- **Events localstripe does not send**: `checkout.session.completed`,
  `customer.subscription.updated` after a subscription update made through the shim, and any
  event a test sends with `emit` (e.g. `customer.subscription.trial_will_end`: localstripe has
  no clock).
- **Webhook relay** (`stripe_shim_events`): the shim is localstripe's webhook target; it checks
  localstripe's signature, adds `price` as above, sends `invoice.paid` for localstripe's
  `invoice.payment_succeeded` (Stripe sends both), re-signs with the same secret and forwards
  the event types Levqor's endpoint subscribes to, to `webhook_url`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.localstripe_server import LocalStripe
from tests.fakes.openai_server import serve_loopback
from tests.fakes.stripe_api import _nested
from tests.fakes.stripe_shim_events import ShimEvents


def price_of(plan: dict[str, Any]) -> dict[str, Any]:
    """A Stripe Price for a localstripe Plan made by `POST /v1/prices`."""
    return {
        "object": "price",
        "id": plan["id"],
        "active": plan["active"],
        "currency": plan["currency"],
        "unit_amount": plan["amount"],
        "product": plan["product"],
        "lookup_key": plan.get("nickname"),
        "recurring": {"interval": plan["interval"], "interval_count": plan["interval_count"]},
        "type": "recurring",
        "metadata": plan.get("metadata") or {},
    }


def with_prices(obj: Any) -> Any:
    """Add `items.data[].price` to a subscription, or to each subscription of a list."""
    if isinstance(obj, dict) and obj.get("object") == "list":
        for row in obj.get("data") or []:
            with_prices(row)
    elif isinstance(obj, dict) and obj.get("object") == "subscription":
        for item in (obj.get("items") or {}).get("data") or []:
            if isinstance(item.get("plan"), dict):
                item["price"] = price_of(item["plan"])
    return obj


class StripeShim(ShimEvents):
    """localstripe at `upstream`, extended; serve `app()` and set `url` to where it is served."""

    def __init__(self, upstream: str, key: str, webhook_secret: str) -> None:
        super().__init__(webhook_secret)
        self.upstream, self.key, self.url = upstream, key, ""
        self.idempotent: dict[str, dict[str, Any]] = {}  # Idempotency-Key → the result
        self.checkouts: dict[str, dict[str, Any]] = {}
        self.portals: dict[str, dict[str, Any]] = {}

    @classmethod
    @asynccontextmanager
    async def running(
        cls, localstripe: LocalStripe, key: str, webhook_secret: str
    ) -> AsyncIterator[StripeShim]:
        """An empty localstripe behind a shim on a free loopback port, the shim registered as
        localstripe's webhook target; at the end, every pending webhook is let through."""
        localstripe.flush()
        shim = cls(localstripe.url, key, webhook_secret)
        async with serve_loopback(shim.app()) as url:
            shim.url = url
            hook = {"url": f"{url}/_shim/webhook", "secret": webhook_secret}
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(f"{localstripe.url}/_config/webhooks/levqor", json=hook)
                answer.raise_for_status()
            try:
                yield shim
                await shim.settle()
            finally:
                localstripe.mute_webhooks()

    def app(self) -> Starlette:
        """The added routes first, then everything else forwarded to localstripe."""
        from tests.fakes.stripe_shim_pages import page_routes

        return Starlette(
            routes=[
                Route("/v1/prices", self._list_prices, methods=["GET"]),
                Route("/v1/prices", self._create_price, methods=["POST"]),
                Route("/v1/customers/{id}/balance_transactions", self._credit, methods=["POST"]),
                Route("/v1/subscriptions/{id}", self._update_sub, methods=["POST"]),
                Route("/_shim/webhook", self.relay, methods=["POST"]),
                *page_routes(self),
                Route("/{path:path}", self._forward, methods=["GET", "POST", "DELETE"]),
            ]
        )

    # -- talking to localstripe --------------------------------------------------------------

    async def call(self, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
        """One localstripe API call (JSON body, which localstripe accepts); raises on an error."""
        async with httpx.AsyncClient(base_url=self.upstream, timeout=30) as client:
            answer = await client.request(method, path, json=data, auth=(self.key, ""))
        if answer.status_code >= 400:
            raise RuntimeError(f"localstripe {method} {path}: {answer.status_code} {answer.text}")
        return with_prices(answer.json())

    async def _forward(self, request: Request) -> Response:
        async with httpx.AsyncClient(base_url=self.upstream, timeout=30) as client:
            answer = await client.request(
                request.method,
                request.url.path,
                params=request.url.query,
                content=await request.body(),
                headers={
                    k: v
                    for k, v in request.headers.items()
                    if k in ("authorization", "content-type")
                },
            )
        if not answer.headers.get("content-type", "").startswith("application/json"):
            return Response(answer.content, answer.status_code, media_type="text/plain")
        return JSONResponse(with_prices(answer.json()), answer.status_code)

    async def _params(self, request: Request) -> tuple[dict[str, Any], Response | None]:
        """The form body, after the same key check localstripe makes (`Bearer sk_…`)."""
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer sk_"):
            return {}, JSONResponse({"error": {"message": "Unauthorized"}}, status_code=401)
        if request.method == "GET":
            return _nested(request.url.query), None
        return _nested((await request.body()).decode()), None

    # -- what the shim adds ------------------------------------------------------------------

    async def _create_price(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        recurring = params.get("recurring") or {}
        plan = await self.call(
            "POST",
            "/v1/plans",
            {
                "id": f"price_{secrets.token_hex(7)}",
                "product": params["product"],
                "currency": params["currency"],
                "amount": int(params["unit_amount"]),
                "interval": recurring.get("interval", "month"),
                "interval_count": int(recurring.get("interval_count", 1)),
                "nickname": params.get("lookup_key"),
                "metadata": params.get("metadata") or {},
            },
        )
        return JSONResponse(price_of(plan))

    async def prices(self, lookup_keys: list[str] | None = None) -> list[dict[str, Any]]:
        """The active prices (localstripe plans with a lookup key), optionally by lookup key."""
        plans = (await self.call("GET", "/v1/plans?active=true&limit=100"))["data"]
        found = [price_of(p) for p in plans if p.get("nickname")]
        return [p for p in found if lookup_keys is None or p["lookup_key"] in lookup_keys]

    async def price(self, price_id: str) -> dict[str, Any]:
        """One price (a localstripe plan)."""
        return price_of(await self.call("GET", f"/v1/plans/{price_id}"))

    async def complete_checkout(self, session_id: str) -> dict[str, Any]:
        """The customer pays on the Checkout page (see `stripe_shim_pages`)."""
        from tests.fakes.stripe_shim_pages import complete_checkout

        return await complete_checkout(self, session_id)

    async def _list_prices(self, request: Request) -> Response:
        params, refused = await self._params(request)
        if refused:
            return refused
        keys = params.get("lookup_keys")
        rows = await self.prices(list(keys) if keys is not None else None)
        return JSONResponse(
            {"object": "list", "data": rows, "has_more": False, "url": "/v1/prices"}
        )

    async def _credit(self, request: Request) -> Response:
        """A balance transaction: negative is a credit, as in Stripe (localstripe keeps the
        opposite sign in `account_balance`, which its next invoices deduct)."""
        params, refused = await self._params(request)
        if refused:
            return refused
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotent:
            return JSONResponse(self.idempotent[key])
        customer_id = request.path_params["id"]
        customer = await self.call("GET", f"/v1/customers/{customer_id}")
        amount = int(params["amount"])
        ending = -int(customer["account_balance"]) + amount
        await self.call("POST", f"/v1/customers/{customer_id}", {"account_balance": -ending})
        row = {
            "object": "customer_balance_transaction",
            "id": f"cbtxn_{secrets.token_hex(7)}",
            "customer": customer_id,
            "amount": amount,
            "ending_balance": ending,
            "currency": params["currency"],
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
        }
        if key:
            self.idempotent[key] = row
        return JSONResponse(row)

    async def balance(self, customer_id: str) -> int:
        """The customer's balance as Stripe states it (negative: credit), read from localstripe."""
        return -int((await self.call("GET", f"/v1/customers/{customer_id}"))["account_balance"])

    async def _update_sub(self, request: Request) -> Response:
        """localstripe's update, then the `customer.subscription.updated` it does not send."""
        answer = await self._forward(request)
        if answer.status_code == 200:
            sub = await self.call("GET", f"/v1/subscriptions/{request.path_params['id']}")
            await self.emit("customer.subscription.updated", sub)
        return answer

    async def update_sub(self, sub_id: str, **changes: Any) -> dict[str, Any]:
        """Change a subscription in localstripe, and send `customer.subscription.updated`."""
        await self.call("POST", f"/v1/subscriptions/{sub_id}", changes)
        sub: dict[str, Any] = await self.call("GET", f"/v1/subscriptions/{sub_id}")
        await self.emit("customer.subscription.updated", sub)
        return sub
