"""Stripe events: the real signature scheme, wildcards, dedupe on event id and object+type."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.models import Run, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import activate
from workflows.errors import BadRequest, Conflict
from workflows.spec import StripeTrigger
from workflows.triggers.stripe import event_matches, event_payload, receive, verify_event

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stripe"
SECRET = "whsec_test_secret"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def signed(body: bytes, secret: str = SECRET, at: int | None = None) -> str:
    """`Stripe-Signature` computed as Stripe does: HMAC-SHA256 of `<t>.<payload>`."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def notify(events: list[str]) -> dict[str, Any]:
    return {
        "name": f"Stripe {' '.join(events)}",
        "trigger": {"type": "stripe", "events": events},
        "steps": [
            {
                "id": "post",
                "action": "slack.post_message",
                "inputs": {"channel": "#finance", "text": "{{ trigger.type }}"},
            }
        ],
    }


def test_a_correctly_signed_event_verifies() -> None:
    body = (FIXTURES / "invoice_payment_failed.json").read_bytes()
    event = verify_event(body, signed(body), SECRET)
    assert event["id"] == "evt_1PfailedA" and event["type"] == "invoice.payment_failed"
    assert event_payload(event) == {
        "type": "invoice.payment_failed",
        "id": "evt_1PfailedA",
        "created": 1717322400,
        "data": {"object": load("invoice_payment_failed")["data"]["object"]},
    }


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "t=1,v1=deadbeef",
        "garbage",
        "wrong-secret",
        "stale",
        "tampered",
    ],
)
def test_bad_signatures_are_refused(header: str | None) -> None:
    body = (FIXTURES / "invoice_payment_failed.json").read_bytes()
    if header == "wrong-secret":
        header = signed(body, secret="whsec_other")
    elif header == "stale":
        header = signed(body, at=int(time.time()) - 3600)
    elif header == "tampered":
        header = signed(body)
        body = body.replace(b"4900", b"1")
    with pytest.raises(BadRequest):
        verify_event(body, header, SECRET)


def test_without_a_webhook_secret_nothing_is_accepted() -> None:
    body = (FIXTURES / "invoice_payment_failed.json").read_bytes()
    with pytest.raises(Conflict, match="add the webhook signing secret"):
        verify_event(body, signed(body), None)


@pytest.mark.parametrize(
    ("patterns", "event_type", "matches"),
    [
        (["invoice.paid"], "invoice.paid", True),
        (["invoice.*"], "invoice.payment_failed", True),
        (["invoice.*"], "invoiceitem.created", False),
        (["customer.subscription.*"], "customer.subscription.deleted", True),
        (["customer.*"], "customer.subscription.deleted", True),
        (["*"], "charge.refunded", True),
        (["invoice.paid", "charge.*"], "charge.failed", True),
        (["invoice.paid"], "invoice.payment_failed", False),
    ],
)
def test_wildcards(patterns: list[str], event_type: str, matches: bool) -> None:
    assert event_matches(StripeTrigger(events=patterns), event_type) is matches


async def deliver(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, event: dict[str, Any]
) -> tuple[list[str], list[str], str | None]:
    async with sessions() as session:
        result = await receive(Tenant(session, ws.id), event)
    return result.new_run_ids, result.duplicate_run_ids, result.reason()


async def test_dedupe_on_event_id_and_on_object_and_type(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    invoices = await activate(sessions, workspace, notify(["invoice.*"]), default_registry())
    await activate(sessions, workspace, notify(["customer.created"]), default_registry())
    failed = load("invoice_payment_failed")
    first, _, _ = await deliver(sessions, workspace, failed)
    assert len(first) == 1
    _, duplicates, reason = await deliver(sessions, workspace, failed)
    assert duplicates == first and "duplicate" in (reason or "")
    retried = dict(failed, id="evt_1PfailedRetry")  # a new event for the same invoice and type
    runs, _, reason = await deliver(sessions, workspace, retried)
    assert runs == [] and "already ran for stripe:in_1Pfailed:invoice.payment_failed" in (
        reason or ""
    )
    paid, _, _ = await deliver(sessions, workspace, load("invoice_paid"))  # same object, new type
    assert len(paid) == 1
    async with sessions() as session:
        rows = (await session.exec(select(Run).where(Run.workflow_id == invoices.id))).all()
    assert sorted(r.idempotency_key or "" for r in rows) == [
        "stripe:evt_1PfailedA",
        "stripe:evt_1PpaidB",
    ]
    assert {r.trigger_payload["type"] for r in rows} == {"invoice.payment_failed", "invoice.paid"}


async def test_every_update_of_an_object_runs(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await activate(sessions, workspace, notify(["customer.*"]), default_registry())
    base = load("customer_created")
    for n in range(2):
        update = dict(base, id=f"evt_update_{n}", type="customer.updated")
        runs, _, _ = await deliver(sessions, workspace, update)
        assert len(runs) == 1


async def test_unmatched_event_starts_nothing(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await activate(sessions, workspace, notify(["invoice.paid"]), default_registry())
    runs, _, reason = await deliver(sessions, workspace, load("customer_created"))
    assert runs == [] and reason == "no active workflow listens to customer.created"
