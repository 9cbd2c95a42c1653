"""`stripe.*` actions through the official library's async API (StripeClient, `*_async`)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import stripe
from pydantic import Field, field_validator

from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    CustomerData,
    RetryableError,
    Risk,
)
from integrations.connections import MissingConnection, secret
from integrations.durations import parse_duration
from storage.config import Settings

_ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
_DAY = 86400
_UNITS = {"m": 60, "h": 3600, "d": _DAY, "w": 7 * _DAY}


class ListInvoicesInput(ActionInput):
    status: str | None = "open"
    overdue_days: int | None = Field(default=None, ge=0)
    # Only invoices falling due this many days from today (UTC dates): [10, 3] lists those due
    # in ten days and those due in three, for reminders sent ahead of the due date.
    due_in_days: list[int] | None = Field(default=None, min_length=1, max_length=10)
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("due_in_days")
    @classmethod
    def _days_ahead(cls, days: list[int] | None) -> list[int] | None:
        if days is not None and any(d < 0 or d > 366 for d in days):
            raise ValueError("due_in_days counts days ahead: each between 0 and 366")
        return days


class ListInvoicesOutput(ActionOutput):
    invoices: list[dict[str, Any]]
    count: int


class GetCustomerInput(ActionInput):
    customer_id: str


class GetCustomerOutput(ActionOutput):
    customer: dict[str, Any]


class SummarizePaymentsInput(ActionInput):
    period: str = "7 days"


class SummarizePaymentsOutput(ActionOutput):
    figures: dict[str, Any]
    text: str


class UpdateCustomerInput(ActionInput):
    customer_id: str
    metadata: dict[str, str]


class UpdateCustomerOutput(ActionOutput):
    customer_id: str
    dry_run: bool = False


class RefundInput(ActionInput):
    payment: str  # a PaymentIntent ("pi_…") or charge ("ch_…") id
    amount: float | None = Field(default=None, gt=0)  # in the currency's main unit; all if unset
    reason: str | None = None  # duplicate | fraudulent | requested_by_customer


class RefundOutput(ActionOutput):
    refund_id: str | None
    status: str
    amount: float | None = None
    currency: str | None = None
    dry_run: bool = False


class UpdateSubscriptionInput(ActionInput):
    subscription_id: str
    price: str


class UpdateSubscriptionOutput(ActionOutput):
    updated: int
    subscription_ids: list[str] = Field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False


class CancelSubscriptionInput(ActionInput):
    subscription_id: str = Field(min_length=1)
    # False: ends now (Stripe's DELETE); True: runs to the end of the period already paid for.
    at_period_end: bool = False


class CancelSubscriptionOutput(ActionOutput):
    subscription_id: str
    status: str
    cancel_at_period_end: bool = False
    already_canceled: bool = False
    dry_run: bool = False


def amount(minor: int, currency: str) -> float:
    """Stripe's integer minor units as a decimal amount (zero-decimal currencies kept whole)."""
    return float(minor) if currency.lower() in _ZERO_DECIMAL else minor / 100


def period_seconds(period: str) -> int:
    """Seconds in a duration such as "7 days", "24h" or "2 weeks"."""
    try:
        return int(parse_duration(period))
    except ValueError as exc:
        raise ActionError(f"not a period: {period!r} (try '7 days' or '24 hours')") from exc


async def api_key_for(ctx: ActionContext) -> str:
    """The workspace's own Stripe key (Connections), else STRIPE_SECRET_KEY; else a sentence."""
    async with ctx.sessions() as session:
        stored = await secret(session, ctx.workspace_id, "stripe", "api_key", ctx.settings)
    key = stored or ctx.settings.stripe_secret_key
    if not key:
        raise MissingConnection("stripe", ctx.settings)
    return key


@asynccontextmanager
async def stripe_client(ctx: ActionContext) -> AsyncIterator[stripe.StripeClient]:
    """A StripeClient on the workspace's key; Stripe errors mapped to ours."""
    async with client_with_key(ctx.settings, await api_key_for(ctx)) as client:
        yield client


@asynccontextmanager
async def client_with_key(settings: Settings, api_key: str) -> AsyncIterator[stripe.StripeClient]:
    """A StripeClient on one key and the configured base; Stripe errors mapped to ours."""
    http_client = stripe.HTTPXClient(timeout=settings.step_timeout_seconds)
    client = stripe.StripeClient(
        api_key=api_key,
        base_addresses={"api": settings.stripe_api_base},
        http_client=http_client,
        max_network_retries=0,  # the engine retries
    )
    try:
        yield client
    except stripe.StripeError as exc:
        raise _mapped(exc) from exc
    finally:
        await http_client.close_async()  # type: ignore[no-untyped-call]


def _mapped(exc: stripe.StripeError) -> Exception:
    status = exc.http_status
    message = exc.user_message or str(exc) or type(exc).__name__
    if isinstance(exc, stripe.APIConnectionError) or status in (None, 409, 429) or status >= 500:
        retry_after = (exc.headers or {}).get("retry-after") or (exc.headers or {}).get(
            "Retry-After"
        )
        delay = float(retry_after) if retry_after and retry_after.isdigit() else None
        return RetryableError(f"Stripe is unavailable ({status}): {message}", retry_after=delay)
    if isinstance(exc, stripe.AuthenticationError):
        return ActionError(
            f"Stripe refused the saved key ({message}); update it on the Connections page"
        )
    return ActionError(f"Stripe refused the request ({status}): {message}")


def _invoice_row(invoice: dict[str, Any], now: float) -> dict[str, Any]:
    currency = str(invoice.get("currency") or "usd")
    due = invoice.get("due_date")
    overdue = max(0, int((now - due) // _DAY)) if due else 0
    today = datetime.fromtimestamp(now, UTC).date()
    due_in = (datetime.fromtimestamp(due, UTC).date() - today).days if due else None
    return {
        "id": invoice["id"],
        "number": invoice.get("number"),
        "customer": invoice.get("customer"),
        "customer_email": invoice.get("customer_email"),
        "customer_name": invoice.get("customer_name"),
        "status": invoice.get("status"),
        "currency": currency,
        "amount_due": amount(int(invoice.get("amount_due") or 0), currency),
        "amount_remaining": amount(int(invoice.get("amount_remaining") or 0), currency),
        "due_date": datetime.fromtimestamp(due, UTC).isoformat() if due else None,
        "overdue_days": overdue,
        "due_in_days": due_in,
        "hosted_invoice_url": invoice.get("hosted_invoice_url"),
    }


async def list_invoices(ctx: ActionContext, inputs: ListInvoicesInput) -> ListInvoicesOutput:
    """Invoices by status, optionally only those at least `overdue_days` past their due date or
    falling due in one of `due_in_days` days."""
    now = time.time()
    params: dict[str, Any] = {"limit": min(inputs.limit, 100)}
    if inputs.status:
        params["status"] = inputs.status
    if inputs.overdue_days is not None:
        params["due_date"] = {"lte": int(now - max(inputs.overdue_days, 1) * _DAY)}
    if inputs.due_in_days:
        today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        first, last = min(inputs.due_in_days), max(inputs.due_in_days)
        params["due_date"] = {
            "gte": int(today.timestamp()) + first * _DAY,
            "lt": int(today.timestamp()) + (last + 1) * _DAY,
        }
    rows: list[dict[str, Any]] = []
    async with stripe_client(ctx) as client:
        page = await client.v1.invoices.list_async(params=params)  # type: ignore[arg-type]
        async for invoice in page.auto_paging_iter():
            row = _invoice_row(invoice.to_dict(), now)
            if inputs.overdue_days is not None and row["overdue_days"] < max(
                inputs.overdue_days, 1
            ):
                continue
            if inputs.due_in_days and row["due_in_days"] not in inputs.due_in_days:
                continue
            rows.append(row)
            if len(rows) >= inputs.limit:
                break
    return ListInvoicesOutput(invoices=rows, count=len(rows))


async def get_customer(ctx: ActionContext, inputs: GetCustomerInput) -> GetCustomerOutput:
    """One customer, as Stripe returns it."""
    async with stripe_client(ctx) as client:
        customer = await client.v1.customers.retrieve_async(inputs.customer_id)
    return GetCustomerOutput(customer=customer.to_dict(for_json=True))


def _money(value: float, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency)
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {currency.upper()}"


async def summarize_payments(
    ctx: ActionContext, inputs: SummarizePaymentsInput
) -> SummarizePaymentsOutput:
    """Payments, refunds and failed payments over the period, as figures and a sentence."""
    since = int(time.time()) - period_seconds(inputs.period)
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    window = {"created": {"gte": since}, "limit": 100}
    async with stripe_client(ctx) as client:
        charges = await client.v1.charges.list_async(params=window)  # type: ignore[arg-type]
        async for charge in charges.auto_paging_iter():
            cur = str(charge.currency)
            kind = "gross" if charge.status == "succeeded" else "failed_amount"
            if charge.status in ("succeeded", "failed"):
                totals[cur][kind] += amount(charge.amount, cur)
                totals[cur]["payments" if kind == "gross" else "failed_payments"] += 1
        refunds = await client.v1.refunds.list_async(params=window)  # type: ignore[arg-type]
        async for refund in refunds.auto_paging_iter():
            if refund.status in ("succeeded", "pending"):
                cur = str(refund.currency)
                totals[cur]["refunded"] += amount(refund.amount, cur)
                totals[cur]["refunds"] += 1
    by_currency = {
        cur: {
            "payments": int(t["payments"]),
            "gross": round(t["gross"], 2),
            "refunds": int(t["refunds"]),
            "refunded": round(t["refunded"], 2),
            "net": round(t["gross"] - t["refunded"], 2),
            "failed_payments": int(t["failed_payments"]),
            "failed_amount": round(t["failed_amount"], 2),
        }
        for cur, t in sorted(totals.items())
    }
    figures: dict[str, Any] = {"period": inputs.period, "since": since, "by_currency": by_currency}
    main = max(by_currency, key=lambda c: by_currency[c]["gross"], default=None)
    if main:
        figures |= {"currency": main, **by_currency[main]}
    return SummarizePaymentsOutput(figures=figures, text=_payments_text(inputs.period, by_currency))


def _payments_text(period: str, by_currency: dict[str, dict[str, Any]]) -> str:
    if not by_currency:
        return f"No payments, refunds or failed payments in the last {period}."
    parts = []
    for cur, f in by_currency.items():
        parts.append(
            f"{f['payments']} payment{'s' * (f['payments'] != 1)} totalling "
            f"{_money(f['gross'], cur)}, {f['refunds']} refund{'s' * (f['refunds'] != 1)} "
            f"({_money(f['refunded'], cur)}), net {_money(f['net'], cur)}; "
            f"{f['failed_payments']} failed ({_money(f['failed_amount'], cur)})"
        )
    return f"Last {period}: " + ". ".join(parts) + "."


async def update_customer(ctx: ActionContext, inputs: UpdateCustomerInput) -> UpdateCustomerOutput:
    """Set metadata on a customer (an empty value removes that key)."""
    if ctx.dry_run:
        return UpdateCustomerOutput(customer_id=inputs.customer_id, dry_run=True)
    async with stripe_client(ctx) as client:
        customer = await client.v1.customers.update_async(
            inputs.customer_id,
            params={"metadata": inputs.metadata},
            options={"idempotency_key": ctx.idempotency_key},
        )
    return UpdateCustomerOutput(customer_id=customer.id)


_REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


async def refund(ctx: ActionContext, inputs: RefundInput) -> RefundOutput:
    """Refund a payment in full, or `amount` of it (money leaves the account: class C)."""
    key = "payment_intent" if inputs.payment.startswith("pi_") else "charge"
    if key == "charge" and not inputs.payment.startswith(("ch_", "py_")):
        raise ActionError(f"{inputs.payment!r} is not a Stripe payment or charge id")
    if inputs.reason is not None and inputs.reason not in _REFUND_REASONS:
        raise ActionError(f"a refund reason is one of {', '.join(_REFUND_REASONS)}")
    if ctx.dry_run:
        return RefundOutput(refund_id=None, status="dry_run", amount=inputs.amount, dry_run=True)
    params: dict[str, Any] = {key: inputs.payment}
    async with stripe_client(ctx) as client:
        if inputs.amount is not None:
            source = await (
                client.v1.payment_intents.retrieve_async(inputs.payment)
                if key == "payment_intent"
                else client.v1.charges.retrieve_async(inputs.payment)
            )
            currency = str(source["currency"])
            factor = 1 if currency in _ZERO_DECIMAL else 100
            params["amount"] = round(inputs.amount * factor)
        if inputs.reason:
            params["reason"] = inputs.reason
        made = await client.v1.refunds.create_async(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": ctx.idempotency_key},
        )
    return RefundOutput(
        refund_id=made.id,
        status=str(made.status),
        amount=amount(int(made.amount), str(made.currency)),
        currency=str(made.currency),
    )


async def update_subscription(
    ctx: ActionContext, inputs: UpdateSubscriptionInput
) -> UpdateSubscriptionOutput:
    """Move one subscription (or, with "all", every active one) to `price`."""
    out = UpdateSubscriptionOutput(updated=0, dry_run=ctx.dry_run)
    async with stripe_client(ctx) as client:
        if inputs.subscription_id == "all":
            page = await client.v1.subscriptions.list_async(
                params={"status": "active", "limit": 100}
            )
            subscriptions = [s async for s in page.auto_paging_iter()]
        else:
            subscriptions = [await client.v1.subscriptions.retrieve_async(inputs.subscription_id)]
        for sub in subscriptions:
            items = sub["items"]["data"]
            if len(items) != 1:
                raise ActionError(
                    f"subscription {sub.id} has {len(items)} items; change it in Stripe"
                )
            if items[0]["price"]["id"] == inputs.price:
                out.unchanged += 1
                continue
            if not ctx.dry_run:
                await client.v1.subscriptions.update_async(
                    sub.id,
                    params={"items": [{"id": items[0]["id"], "price": inputs.price}]},
                    options={"idempotency_key": f"{ctx.idempotency_key}:{sub.id}"},
                )
            out.updated += 1
            out.subscription_ids.append(sub.id)
    return out


async def cancel_subscription(
    ctx: ActionContext, inputs: CancelSubscriptionInput
) -> CancelSubscriptionOutput:
    """Cancel one subscription, now or at the end of its paid period. One already cancelled is
    left as it is (a retried or repeated run cancels nothing twice)."""
    sid = inputs.subscription_id.strip()
    if sid.lower() in ("all", "*") or "{{" in sid:
        raise ActionError(f"“{sid}” is not one subscription: cancel one subscription per run")
    async with stripe_client(ctx) as client:
        sub = await client.v1.subscriptions.retrieve_async(sid)
        status = str(sub["status"])
        if status in ("canceled", "incomplete_expired"):
            return CancelSubscriptionOutput(
                subscription_id=sid, status=status, already_canceled=True, dry_run=ctx.dry_run
            )
        if ctx.dry_run:
            return CancelSubscriptionOutput(
                subscription_id=sid, status=status, cancel_at_period_end=inputs.at_period_end,
                dry_run=True,
            )  # fmt: skip
        key = ctx.idempotency_key
        if inputs.at_period_end:
            done = await client.v1.subscriptions.update_async(
                sid, params={"cancel_at_period_end": True}, options={"idempotency_key": key}
            )
        else:
            done = await client.v1.subscriptions.cancel_async(sid, options={"idempotency_key": key})
    return CancelSubscriptionOutput(
        subscription_id=sid,
        status=str(done["status"]),
        cancel_at_period_end=bool(done.to_dict().get("cancel_at_period_end")),
    )


ACTIONS: list[Action[Any, Any]] = [
    Action("stripe.list_invoices", "List invoices by status, e.g. open ones overdue by N days.",
           Risk.read, ListInvoicesInput, ListInvoicesOutput, list_invoices,
           reads=CustomerData.many),
    Action("stripe.get_customer", "Fetch one Stripe customer.",
           Risk.read, GetCustomerInput, GetCustomerOutput, get_customer, reads=CustomerData.one),
    Action("stripe.summarize_payments", "Payments, refunds and failures over a period.",
           Risk.read, SummarizePaymentsInput, SummarizePaymentsOutput, summarize_payments,
           reads=CustomerData.one),
    Action("stripe.update_customer", "Set metadata on a Stripe customer.",
           Risk.external, UpdateCustomerInput, UpdateCustomerOutput, update_customer),
    Action("stripe.refund", "Refund a payment, in full or part (money leaves the account).",
           Risk.critical, RefundInput, RefundOutput, refund),
    Action("stripe.update_subscription", "Move a subscription (or all active ones) to a price.",
           Risk.critical, UpdateSubscriptionInput, UpdateSubscriptionOutput, update_subscription),
    Action("stripe.cancel_subscription",
           "Cancel one subscription, now or at the end of its paid period (billing stops).",
           Risk.critical, CancelSubscriptionInput, CancelSubscriptionOutput, cancel_subscription),
]  # fmt: skip
