"""stripe.*: the official library against a fake Stripe API on loopback."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from integrations import connection_store
from integrations import stripe as stripe_actions
from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.connections import MissingConnection
from storage.db import create_engine, session_factory
from storage.models import Workspace
from tests.conftest import make_settings
from tests.fakes.stripe_api import FakeStripe

KEY = "sk_test_levqor"
DAY = 86400


@pytest.fixture
async def api() -> AsyncIterator[FakeStripe]:
    """A fake Stripe API on loopback."""
    async with FakeStripe.running(KEY) as fake:
        yield fake


@pytest.fixture(autouse=True)
def database(tmp_path: Path, sqlite_template: Path) -> None:
    """A migrated database in the test's data dir (where the workspace's own key would be)."""
    shutil.copy(sqlite_template, tmp_path / "levqor.db")


def context(tmp_path: Path, dry_run: bool = False, **settings: Any) -> ActionContext:
    """An ActionContext with these settings, on a database where the workspace saved no key."""
    values = make_settings(tmp_path, **settings)
    return ActionContext(
        settings=values,
        sessions=session_factory(create_engine(values)),
        http=httpx.AsyncClient(),
        workspace_id="ws",
        workflow_id="wf",
        run_id="run1",
        step_id="step1",
        idempotency_key="run1:step1",
        dry_run=dry_run,
    )


@pytest.fixture
def ctx(tmp_path: Path, api: FakeStripe) -> ActionContext:
    """Configured for the fake."""
    return context(tmp_path, STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=api.url)


async def run(ctx: ActionContext, name: str, **inputs: Any) -> dict[str, Any]:
    """Run one stripe.* action and dump its output."""
    action = next(a for a in stripe_actions.ACTIONS if a.name == name)
    return dict((await action.run(ctx, inputs)).model_dump())


def test_declared_risks() -> None:
    risks = {a.name: a.risk for a in stripe_actions.ACTIONS}
    assert risks == {
        "stripe.list_invoices": Risk.read,
        "stripe.get_customer": Risk.read,
        "stripe.summarize_payments": Risk.read,
        "stripe.update_customer": Risk.external,
        "stripe.refund": Risk.critical,
        "stripe.update_subscription": Risk.critical,
        "stripe.cancel_subscription": Risk.critical,
    }


async def test_missing_key_says_which_connection_to_add(tmp_path: Path) -> None:
    sentence = (
        r"^Stripe is not connected for this workspace\. Add the Stripe connection on the "
        r"Connections page \(http://127\.0\.0\.1:8000/connections#stripe\) and try again\.$"
    )
    with pytest.raises(MissingConnection, match=sentence):
        await run(context(tmp_path), "stripe.get_customer", customer_id="cus_1")


async def test_list_overdue_invoices(ctx: ActionContext, api: FakeStripe) -> None:
    now = int(time.time())
    api.add_invoice(
        "in_old",
        customer="cus_1",
        amount_due=12050,
        amount_remaining=12050,
        due_date=now - 40 * DAY,
        number="A-1",
        customer_email="a@x.co",
    )
    api.add_invoice("in_recent", customer="cus_2", amount_due=900, due_date=now - 10 * DAY)
    api.add_invoice("in_future", customer="cus_3", amount_due=500, due_date=now + 5 * DAY)
    api.add_invoice("in_paid", status="paid", amount_due=0, due_date=now - 60 * DAY)
    api.add_invoice("in_yen", currency="jpy", amount_due=5000, due_date=now - 31 * DAY)  # fmt: skip

    out = await run(ctx, "stripe.list_invoices", status="open", overdue_days=30)
    assert out["count"] == 2
    by_id = {row["id"]: row for row in out["invoices"]}
    assert set(by_id) == {"in_old", "in_yen"}
    assert by_id["in_old"]["overdue_days"] == 40
    assert by_id["in_old"]["amount_due"] == 120.5
    assert by_id["in_old"]["customer_email"] == "a@x.co"
    assert by_id["in_yen"]["amount_due"] == 5000
    call = api.calls[-1]
    assert (call.method, call.path, call.params["status"]) == ("GET", "/v1/invoices", "open")
    assert int(call.params["due_date"]["lte"]) <= now - 30 * DAY

    every_open = await run(ctx, "stripe.list_invoices")
    assert every_open["count"] == 4
    assert {r["id"]: r["overdue_days"] for r in every_open["invoices"]}["in_future"] == 0


async def test_invoices_falling_due_in_so_many_days(ctx: ActionContext, api: FakeStripe) -> None:
    """ "remind clients 10 days and 3 days before an invoice is due": only the invoices whose due
    date (a UTC calendar day) is that many days ahead, each saying how far off it is."""
    midnight = int(time.time()) // DAY * DAY
    api.add_invoice("in_3", customer_email="a@x.co", due_date=midnight + 3 * DAY + 3600)
    api.add_invoice("in_3_late", customer_email="b@x.co", due_date=midnight + 4 * DAY - 1)
    api.add_invoice("in_4", customer_email="c@x.co", due_date=midnight + 4 * DAY)
    api.add_invoice("in_10", customer_email="d@x.co", due_date=midnight + 10 * DAY + 60)
    api.add_invoice("in_past", customer_email="e@x.co", due_date=midnight - 2 * DAY)
    api.add_invoice("in_none", customer_email="f@x.co")

    out = await run(ctx, "stripe.list_invoices", due_in_days=[10, 3])
    assert {r["id"]: r["due_in_days"] for r in out["invoices"]} == {
        "in_3": 3,
        "in_3_late": 3,
        "in_10": 10,
    }
    assert api.calls[-1].params["due_date"] == {
        "gte": str(midnight + 3 * DAY),
        "lt": str(midnight + 11 * DAY),
    }
    with pytest.raises(ValueError, match="between 0 and 366"):
        await run(ctx, "stripe.list_invoices", due_in_days=[-1])


async def test_list_invoices_pages_through_has_more(ctx: ActionContext, api: FakeStripe) -> None:
    for i in range(130):
        api.add_invoice(f"in_{i:03}", amount_due=100)
    out = await run(ctx, "stripe.list_invoices", limit=120)
    assert out["count"] == 120
    assert len({r["id"] for r in out["invoices"]}) == 120
    assert [c.params.get("starting_after") for c in api.calls] == [None, "in_030"]


async def test_get_customer(ctx: ActionContext, api: FakeStripe) -> None:
    api.add_customer("cus_1", email="ann@shop.co", name="Ann", metadata={"tier": "gold"})
    out = await run(ctx, "stripe.get_customer", customer_id="cus_1")
    assert out["customer"]["email"] == "ann@shop.co"
    assert out["customer"]["metadata"] == {"tier": "gold"}
    with pytest.raises(ActionError, match="No such customer"):
        await run(ctx, "stripe.get_customer", customer_id="cus_missing")


async def test_summarize_payments(ctx: ActionContext, api: FakeStripe) -> None:
    now = int(time.time())
    api.add_charge("ch_1", amount=10000, created=now - DAY)
    api.add_charge("ch_2", amount=2550, created=now - 2 * DAY)
    api.add_charge("ch_fail", amount=3000, status="failed", created=now - DAY)
    api.add_charge("ch_old", amount=99999, created=now - 30 * DAY)
    api.add_refund("re_1", amount=1500, currency="usd", charge="ch_1", created=now - DAY)
    api.add_refund("re_old", amount=5000, currency="usd", charge="ch_old", created=now - 20 * DAY)

    out = await run(ctx, "stripe.summarize_payments", period="7 days")
    figures = out["figures"]
    assert (figures["currency"], figures["payments"], figures["gross"]) == ("usd", 2, 125.5)
    assert (figures["refunds"], figures["refunded"], figures["net"]) == (1, 15.0, 110.5)
    assert (figures["failed_payments"], figures["failed_amount"]) == (1, 30.0)
    assert out["text"] == (
        "Last 7 days: 2 payments totalling $125.50, 1 refund ($15.00), net $110.50; "
        "1 failed ($30.00)."
    )
    quiet = await run(ctx, "stripe.summarize_payments", period="1 hour")
    assert quiet["text"] == "No payments, refunds or failed payments in the last 1 hour."
    with pytest.raises(ActionError, match="not a period"):
        await run(ctx, "stripe.summarize_payments", period="lately")


async def test_update_customer_metadata_with_idempotency_key(
    ctx: ActionContext, api: FakeStripe
) -> None:
    api.add_customer("cus_1", metadata={"tier": "silver", "old": "x"})
    out = await run(ctx, "stripe.update_customer", customer_id="cus_1",
                    metadata={"tier": "gold", "old": ""})  # fmt: skip
    assert out["customer_id"] == "cus_1"
    assert api.objects["customers"]["cus_1"]["metadata"] == {"tier": "gold"}
    assert api.calls[-1].idempotency_key == "run1:step1"


async def test_update_one_and_all_subscriptions(ctx: ActionContext, api: FakeStripe) -> None:
    for sid, price in (("sub_a", "price_old"), ("sub_b", "price_old"), ("sub_c", "price_new")):
        api.add_subscription(sid, price)
    api.add_subscription("sub_gone", "price_old", status="canceled")

    one = await run(ctx, "stripe.update_subscription", subscription_id="sub_a", price="price_new")
    assert (one["updated"], one["subscription_ids"]) == (1, ["sub_a"])

    out = await run(ctx, "stripe.update_subscription", subscription_id="all", price="price_new")
    assert (out["updated"], out["unchanged"], out["subscription_ids"]) == (1, 2, ["sub_b"])
    prices = {
        k: v["items"]["data"][0]["price"]["id"] for k, v in api.objects["subscriptions"].items()
    }
    assert prices == {"sub_a": "price_new", "sub_b": "price_new", "sub_c": "price_new",
                      "sub_gone": "price_old"}  # fmt: skip
    writes = [c.idempotency_key for c in api.calls if c.method == "POST"]
    assert writes == ["run1:step1:sub_a", "run1:step1:sub_b"]


async def test_cancel_a_subscription_now_or_at_period_end_once(
    tmp_path: Path, ctx: ActionContext, api: FakeStripe
) -> None:
    api.add_subscription("sub_a", "price_pro")
    api.add_subscription("sub_b", "price_pro")
    now = await run(ctx, "stripe.cancel_subscription", subscription_id="sub_a")
    assert (now["status"], now["already_canceled"]) == ("canceled", False)
    assert api.objects["subscriptions"]["sub_a"]["status"] == "canceled"
    [cancel] = [c for c in api.calls if c.method == "DELETE"]
    assert (cancel.path, cancel.idempotency_key) == ("/v1/subscriptions/sub_a", "run1:step1")

    again = await run(ctx, "stripe.cancel_subscription", subscription_id="sub_a")  # a re-run
    assert again["already_canceled"] is True
    assert len([c for c in api.calls if c.method == "DELETE"]) == 1

    later = await run(ctx, "stripe.cancel_subscription", subscription_id="sub_b",
                      at_period_end=True)  # fmt: skip
    assert later["cancel_at_period_end"] is True
    assert api.objects["subscriptions"]["sub_b"]["status"] == "active"

    for bad in ("all", "{{ trigger.subscription_id }}"):
        with pytest.raises(ActionError, match="not one subscription"):
            await run(ctx, "stripe.cancel_subscription", subscription_id=bad)

    api.add_subscription("sub_c", "price_pro")
    dry = context(tmp_path, dry_run=True, STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=api.url)
    seen = len(api.calls)
    out = await run(dry, "stripe.cancel_subscription", subscription_id="sub_c")
    assert (out["dry_run"], out["status"]) == (True, "active")
    assert [c.method for c in api.calls[seen:]] == ["GET"]


async def test_dry_run_writes_nothing(tmp_path: Path, api: FakeStripe) -> None:
    api.add_subscription("sub_a", "price_old")
    dry = context(tmp_path, dry_run=True, STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=api.url)
    out = await run(dry, "stripe.update_subscription", subscription_id="all", price="price_new")
    assert (out["updated"], out["dry_run"]) == (1, True)
    assert [c.method for c in api.calls] == ["GET"]


async def test_errors_are_classified(tmp_path: Path, ctx: ActionContext, api: FakeStripe) -> None:
    wrong = context(tmp_path, STRIPE_SECRET_KEY="sk_test_wrong", STRIPE_API_BASE=api.url)
    with pytest.raises(ActionError, match="update it on the Connections page"):
        await run(wrong, "stripe.list_invoices")
    api.fail_next(429, {"Retry-After": "3"})
    with pytest.raises(RetryableError) as raised:
        await run(ctx, "stripe.list_invoices")
    assert raised.value.retry_after == 3.0
    api.fail_next(502)
    with pytest.raises(RetryableError):
        await run(ctx, "stripe.get_customer", customer_id="cus_1")
    assert len(api.calls) == 3  # the library made no retries of its own


async def test_refund_in_full_or_part_once_per_step(
    tmp_path: Path, ctx: ActionContext, api: FakeStripe
) -> None:
    api.add_charge("ch_1", amount=5000, currency="gbp")
    api.objects["payment_intents"]["pi_9"] = {"id": "pi_9", "object": "payment_intent",
                                               "amount": 1999, "currency": "jpy"}  # fmt: skip
    part = await run(ctx, "stripe.refund", payment="ch_1", amount=12.5,
                     reason="requested_by_customer")  # fmt: skip
    assert (part["status"], part["amount"], part["currency"]) == ("succeeded", 12.5, "gbp")
    replay = await run(ctx, "stripe.refund", payment="ch_1", amount=12.5)
    assert replay["refund_id"] == part["refund_id"]  # same step, same idempotency key
    assert len(api.objects["refunds"]) == 1
    whole = context(tmp_path, STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=api.url)
    whole = dataclasses.replace(whole, idempotency_key="run2:step1")
    yen = await run(whole, "stripe.refund", payment="pi_9")
    assert (yen["amount"], yen["currency"]) == (1999, "jpy")
    creates = [c for c in api.calls if c.method == "POST" and c.path == "/v1/refunds"]
    assert creates[0].params == {"charge": "ch_1", "amount": "1250",
                                 "reason": "requested_by_customer"}  # fmt: skip
    assert creates[0].idempotency_key == "run1:step1"


async def test_refund_refuses_bad_ids_reasons_and_sends_nothing_in_a_dry_run(
    tmp_path: Path, api: FakeStripe
) -> None:
    dry = context(tmp_path, dry_run=True, STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=api.url)
    out = await run(dry, "stripe.refund", payment="ch_1")
    assert (out["dry_run"], out["refund_id"]) == (True, None)
    assert api.calls == []
    with pytest.raises(ActionError, match="not a Stripe payment"):
        await run(dry, "stripe.refund", payment="cus_123")
    with pytest.raises(ActionError, match="reason is one of"):
        await run(dry, "stripe.refund", payment="ch_1", reason="because")


async def test_the_workspace_key_from_connections_wins_over_the_instance_key(
    tmp_path: Path, api: FakeStripe
) -> None:
    ctx = context(tmp_path, STRIPE_SECRET_KEY="sk_test_instance_wide", STRIPE_API_BASE=api.url)
    async with ctx.sessions() as session:
        workspace = Workspace(id="ws", slug="acme", name="Acme")
        session.add(workspace)
        await session.flush()
        await connection_store.save(session, workspace, "stripe", {"api_key": KEY}, ctx.settings)
        await session.commit()
    api.add_invoice("in_1", customer="cus_1", amount_due=100, due_date=int(time.time()))
    out = await run(ctx, "stripe.list_invoices", status="open")
    assert out["count"] == 1  # the fake answers 401 to any key but the workspace's own
