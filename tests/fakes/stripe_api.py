"""A fake Stripe API on loopback: the endpoints `integrations.stripe` uses, Stripe-shaped JSON.

async with FakeStripe.running(key="sk_test_x") as api:
    api.add_customer("cus_1", email="a@b.co")
    settings = make_settings(..., STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE=api.url)
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.openai_server import serve_loopback

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return [_lists(value[k]) for k in sorted(value, key=int)]
        return {k: _lists(v) for k, v in value.items()}
    return value


def _nested(body: str) -> dict[str, Any]:
    """Stripe's bracketed form encoding (`items[0][price]=p`) back into nested data."""
    data: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        parts = [raw_key.split("[", 1)[0], *_KEY_PART.findall(raw_key)]
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return dict(_lists(data))


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


class FakeStripe:
    """In-memory Stripe: add objects, run the integration, then read `calls` and the objects."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.url = ""
        self.calls: list[Call] = []
        self.objects: dict[str, dict[str, dict[str, Any]]] = {
            "customers": {}, "invoices": {}, "charges": {}, "refunds": {}, "subscriptions": {},
            "payment_intents": {},
        }  # fmt: skip
        self._created_by_key: dict[str, dict[str, Any]] = {}
        self.failures: list[tuple[int, dict[str, str]]] = []
        self._clock = int(time.time()) - 10_000

    @classmethod
    @asynccontextmanager
    async def running(cls, key: str = "sk_test_fake") -> AsyncIterator[FakeStripe]:
        """Serve the fake on a free loopback port for the duration of the block."""
        fake = cls(key)
        async with serve_loopback(fake.app()) as url:
            fake.url = url
            yield fake

    def _add(self, kind: str, obj: str, values: dict[str, Any]) -> dict[str, Any]:
        self._clock += 1
        row = {"object": obj, "created": self._clock, "livemode": False, **values}
        self.objects[kind][row["id"]] = row
        return row

    def add_customer(self, cid: str, **values: Any) -> dict[str, Any]:
        """A customer (`email`, `name`, `metadata`, ...)."""
        return self._add("customers", "customer", {"id": cid, "metadata": {}, **values})

    def add_invoice(self, iid: str, **values: Any) -> dict[str, Any]:
        """An invoice (`customer`, `status`, `amount_due`, `due_date`, `currency`, ...)."""
        base = {"id": iid, "status": "open", "currency": "usd", "amount_due": 0, "due_date": None}
        return self._add("invoices", "invoice", base | values)

    def add_charge(self, cid: str, **values: Any) -> dict[str, Any]:
        """A charge (`amount`, `status`: succeeded/failed, `currency`, `created`)."""
        base = {
            "id": cid,
            "status": "succeeded",
            "paid": True,
            "currency": "usd",
            "refunded": False,
        }
        row = self._add("charges", "charge", base | values)
        row["paid"] = row["status"] == "succeeded"
        return row

    def add_refund(self, rid: str, **values: Any) -> dict[str, Any]:
        """A refund (`amount`, `charge`, `status`, `currency`, `created`)."""
        return self._add("refunds", "refund", {"id": rid, "status": "succeeded"} | values)

    def add_subscription(self, sid: str, price: str, status: str = "active") -> dict[str, Any]:
        """A one-item subscription on `price`."""
        item = {"object": "subscription_item", "id": f"si_{sid}", "price": {"id": price}}
        items = {
            "object": "list",
            "data": [item],
            "has_more": False,
            "url": "/v1/subscription_items",
        }
        return self._add(
            "subscriptions", "subscription", {"id": sid, "status": status, "items": items}
        )

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request with this status (e.g. 429 + Retry-After)."""
        self.failures.append((status, dict(headers or {})))

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(
            routes=[
                Route("/v1/{kind}", self._list, methods=["GET"]),
                Route("/v1/refunds", self._create_refund, methods=["POST"]),
                Route("/v1/{kind}/{oid}", self._retrieve, methods=["GET"]),
                Route("/v1/{kind}/{oid}", self._update, methods=["POST"]),
                Route("/v1/subscriptions/{oid}", self._cancel, methods=["DELETE"]),
            ]
        )

    async def _guard(self, request: Request) -> tuple[dict[str, Any], JSONResponse | None]:
        body = (await request.body()).decode()
        params = _nested(body if request.method == "POST" else str(request.url.query))
        key = request.headers.get("idempotency-key")
        self.calls.append(Call(request.method, request.url.path, params, key))
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return params, _error(401, "invalid_request_error", "Invalid API Key provided")
        if self.failures:
            status, headers = self.failures.pop(0)
            return params, _error(status, "api_error", "scripted failure", headers=headers)
        if request.path_params.get("kind", "refunds") not in self.objects:
            return params, _error(404, "invalid_request_error", "Unrecognized request URL")
        return params, None

    async def _list(self, request: Request) -> JSONResponse:
        params, refused = await self._guard(request)
        if refused:
            return refused
        kind = request.path_params["kind"]
        rows = sorted(self.objects[kind].values(), key=lambda r: -r["created"])
        for name, condition in params.items():
            if isinstance(condition, dict):
                rows = [r for r in rows if _in_range(r.get(name), condition)]
            elif name == "status" and condition != "all":
                rows = [r for r in rows if r.get("status") == condition]
        if after := params.get("starting_after"):
            ids = [r["id"] for r in rows]
            rows = rows[ids.index(after) + 1 :] if after in ids else []
        limit = int(params.get("limit", 10))
        page = {"object": "list", "url": f"/v1/{kind}", "has_more": len(rows) > limit}
        return JSONResponse(page | {"data": rows[:limit]})

    async def _create_refund(self, request: Request) -> JSONResponse:
        params, refused = await self._guard(request)
        if refused:
            return refused
        key = request.headers.get("idempotency-key")
        if key and key in self._created_by_key:  # Stripe answers a replay with the first result
            return JSONResponse(self._created_by_key[key])
        source = self.objects["charges"].get(str(params.get("charge"))) or self.objects[
            "payment_intents"
        ].get(str(params.get("payment_intent")))
        if source is None:
            return _error(400, "invalid_request_error", "No such payment")
        total = int(source.get("amount", 0))
        wanted = int(params.get("amount", total))
        if wanted > total - int(source.get("amount_refunded", 0)):
            return _error(400, "invalid_request_error", "Refund is greater than unrefunded amount")
        source["amount_refunded"] = int(source.get("amount_refunded", 0)) + wanted
        row = self.add_refund(
            f"re_{len(self.objects['refunds']) + 1}",
            amount=wanted,
            currency=source.get("currency", "usd"),
            charge=params.get("charge"),
            payment_intent=params.get("payment_intent"),
            reason=params.get("reason"),
        )
        if key:
            self._created_by_key[key] = row
        return JSONResponse(row)

    async def _retrieve(self, request: Request) -> JSONResponse:
        _, refused = await self._guard(request)
        if refused:
            return refused
        row = self.objects[request.path_params["kind"]].get(request.path_params["oid"])
        return JSONResponse(row) if row else _missing(request)

    async def _update(self, request: Request) -> JSONResponse:
        params, refused = await self._guard(request)
        if refused:
            return refused
        row = self.objects[request.path_params["kind"]].get(request.path_params["oid"])
        if row is None:
            return _missing(request)
        for key, value in params.get("metadata", {}).items():
            if value == "":
                row["metadata"].pop(key, None)
            else:
                row["metadata"][key] = value
        for change in params.get("items", []):
            for item in row["items"]["data"]:
                if item["id"] == change.get("id"):
                    item["price"] = {"id": change["price"]}
        if "cancel_at_period_end" in params:
            row["cancel_at_period_end"] = str(params["cancel_at_period_end"]).lower() == "true"
        return JSONResponse(row)

    async def _cancel(self, request: Request) -> JSONResponse:
        """DELETE /v1/subscriptions/{id}: cancelled at once (Stripe refuses a second time)."""
        _, refused = await self._guard(request)
        if refused:
            return refused
        row = self.objects["subscriptions"].get(request.path_params["oid"])
        if row is None:
            return _missing(request)
        if row["status"] == "canceled":
            return _error(400, "invalid_request_error", "This subscription is already canceled")
        row["status"] = "canceled"
        return JSONResponse(row)


def _in_range(value: Any, condition: dict[str, str]) -> bool:
    if value is None:
        return False
    tests = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
    return all(tests[op](value, int(bound)) for op, bound in condition.items())


def _error(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None, **extra: str
) -> JSONResponse:
    body = {"error": {"type": kind, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def _missing(request: Request) -> JSONResponse:
    name = request.path_params["kind"].rstrip("s")
    oid = request.path_params["oid"]
    message = f"No such {name}: '{oid}'"
    return _error(404, "invalid_request_error", message, code="resource_missing", param="id")
