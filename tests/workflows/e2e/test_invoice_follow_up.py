"""Invoice follow-up end to end: Stripe fake → reminders on days 3, 7, 14 → Slack → stops when paid.

The clock is controlled by moving invoice due dates into the past; each "day" is one scheduler
fire (`Runtime.fire`, what the schedule job calls) of the workflow made from its template.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from agents.planner import draft
from storage.config import Settings
from storage.models import CrmContact, Role, Run
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.stripe_api import FakeStripe
from workflows.catalog import TemplateCatalog
from workflows.expressions import evaluate, render_value

WEBHOOK_SECRET = "whsec_e2e_invoices"
DAY = 86400


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
async def stripe_api() -> AsyncIterator[FakeStripe]:
    async with FakeStripe.running(key="sk_test_e2e") as fake:
        yield fake


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    stripe_api: FakeStripe,
    inbox: tuple[Inbox, int],
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}", LEVQOR_EMAIL_FROM="billing@acme.test",
        STRIPE_SECRET_KEY="sk_test_e2e", STRIPE_API_BASE=stripe_api.url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )  # fmt: skip


async def approved(app: Live, body: dict[str, Any]) -> dict[str, Any]:
    created = await app.as_(Role.admin).post("/api/workflows", json=body)
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    result = await app.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert result.status_code == 200, result.text
    return dict(result.json())


def days_pass(stripe_api: FakeStripe, days: int) -> None:
    """Move every invoice's due date `days` further into the past."""
    for invoice in stripe_api.objects["invoices"].values():
        invoice["due_date"] -= days * DAY


async def day_run(app: Live, workflow_id: str) -> dict[str, Any]:
    """One scheduled check, as the scheduler's job runs it; the run's stored record."""
    await app.runtime.fire(workflow_id)
    runs = (await app.as_().get("/api/runs", params={"workflow_id": workflow_id})).json()
    return await app.wait_for_run(runs[0]["id"])


def signed(body: bytes) -> str:
    stamp = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return f"t={stamp},v1={mac.hexdigest()}"


def invoice(stripe_api: FakeStripe, iid: str, email: str, overdue: float, **extra: Any) -> None:
    stripe_api.add_invoice(
        iid, customer_email=email, customer_name=email.split("@")[0].title(), number=f"N-{iid}",
        amount_due=12000, amount_remaining=12000, due_date=int(time.time() - overdue * DAY),
        hosted_invoice_url=f"https://pay.example/{iid}", **extra,
    )  # fmt: skip


async def test_reminders_on_days_3_7_14_escalate_then_stop_when_paid(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    stripe_api: FakeStripe,
    inbox: tuple[Inbox, int],
) -> None:
    mail = inbox[0]
    invoice(stripe_api, "in_ann", "ann@shop.example", 3.1)
    invoice(stripe_api, "in_bob", "bob@shop.example", 1.1)
    invoice(stripe_api, "in_cat", "cat@shop.example", 20.1)
    invoice(stripe_api, "in_old", "dan@shop.example", 9.1, status="paid")
    follow_up = await approved(
        live, {"template_id": "invoice-follow-up", "params": {"business_name": "Acme Plumbing"}}
    )
    paid_hook = await approved(live, {"spec": {
        "name": "Invoice paid", "trigger": {"type": "stripe", "events": ["invoice.paid"]},
        "steps": [{"id": "mark", "action": "stripe.mark_invoice_paid", "inputs": {
            "invoice_id": "{{ trigger.data.object.id }}",
            "email": "{{ trigger.data.object.customer_email }}"}}],
    }})  # fmt: skip

    # Day 0: Ann is 3 days late (first reminder), Cat 20 (day-14 reminder, escalated), Bob 1.
    first = await day_run(live, follow_up["id"])
    assert first["status"] == "succeeded", first
    sent = sorted((rcpt, m["Subject"]) for rcpt, m in mail.messages)
    assert sent == [
        (["ann@shop.example"], "Reminder from Acme Plumbing: invoice N-in_ann is 3 days overdue"),
        (["cat@shop.example"], "Reminder from Acme Plumbing: invoice N-in_cat is 20 days overdue"),
    ]
    to_ann = next(m for rcpt, m in mail.messages if rcpt == ["ann@shop.example"])
    body = to_ann.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hello Ann" in body and "$120.00" in body and "https://pay.example/in_ann" in body
    assert to_ann["To"] == "ann@shop.example"  # nobody sees another customer
    posts = fake_slack.calls("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["#finance"]
    assert "N-in_cat cat@shop.example 120.00 USD, 20 days late" in posts[0].args["text"]

    # The same day again (a retry, a second fire): nothing new to anyone.
    again = await day_run(live, follow_up["id"])
    assert again["status"] == "succeeded" and len(mail.messages) == 2
    assert len(fake_slack.calls("chat.postMessage")) == 1

    # Four days later: Ann reaches day 7, Bob day 5 (his first, the day-3 one); Cat is done.
    days_pass(stripe_api, 4)
    await day_run(live, follow_up["id"])
    assert sorted((r[0], m["Subject"].split(": ")[1]) for r, m in mail.messages[2:]) == [
        ("ann@shop.example", "invoice N-in_ann is 7 days overdue"),
        ("bob@shop.example", "invoice N-in_bob is 5 days overdue"),
    ]

    # Ann pays: Stripe's signed invoice.paid arrives (Stripe's list still says open: no matter).
    event = {"id": "evt_ann_paid", "object": "event", "type": "invoice.paid",
             "created": int(time.time()), "data": {"object": {
                 "id": "in_ann", "object": "invoice", "status": "paid",
                 "customer_email": "ann@shop.example"}}}  # fmt: skip
    raw = json.dumps(event).encode()
    bad = await live.as_().post(
        "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": "t=1,v1=00"}
    )
    assert bad.status_code == 400
    hook = await live.as_().post(
        "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": signed(raw)}
    )
    assert hook.status_code == 202 and len(hook.json()["run_ids"]) == 1, hook.text
    assert (await live.wait_for_run(hook.json()["run_ids"][0]))["status"] == "succeeded"
    # Bob pays too, and Stripe already lists his invoice as paid.
    stripe_api.objects["invoices"]["in_bob"]["status"] = "paid"

    # A week later Ann and Bob would both be due their next reminder: neither gets one.
    days_pass(stripe_api, 7)
    last = await day_run(live, follow_up["id"])
    assert last["status"] == "succeeded" and len(mail.messages) == 4
    reminders = next(s for s in last["steps"] if s["step_id"] == "remind")["output"]
    assert reminders["reminded"] == [] and reminders["skipped_paid"] == ["in_ann"]
    async with live.runtime.sessions() as session:
        ann = (
            await session.exec(select(CrmContact).where(CrmContact.email == "ann@shop.example"))
        ).one()
        hook_runs = await session.exec(select(Run).where(Run.workflow_id == paid_hook["id"]))
    assert ann.fields["invoices"]["in_ann"]["reminded"] == [3, 7]
    assert ann.fields["invoices"]["in_ann"]["paid_at"]
    assert len(hook_runs.all()) == 1


def test_template_shape_and_escalation_text() -> None:
    spec = TemplateCatalog.load().instantiate("invoice-follow-up", {"business_name": "Acme"})
    assert spec.trigger.type == "schedule" and spec.trigger.model_dump()["cron"] == "0 9 * * *"
    assert spec.actions() == ["stripe.invoice_reminders", "slack.post_message"]
    remind, escalate = spec.steps
    assert remind.inputs["stages"] == [3, 7, 14] and remind.inputs["escalate_after_days"] == 14
    rows = [{"id": "in_2", "number": None, "customer_email": None, "amount_remaining": 3.0,
             "currency": "eur", "overdue_days": 31, "hosted_invoice_url": None}]  # fmt: skip
    context = {"steps": {"remind": {"escalate": rows}}}
    assert evaluate(escalate.when or "", context) is True
    assert evaluate(escalate.when or "", {"steps": {"remind": {"escalate": []}}}) is False
    text = render_value(escalate.inputs["text"], context)
    assert "more than 14 days overdue" in text and "• in_2  3.00 EUR, 31 days late" in text


def test_drafted_from_plain_language() -> None:
    result = draft(
        "Every morning at 9, chase unpaid Stripe invoices: email the customer a reminder 3, 7 "
        "and 14 days after the due date, and tell #finance in Slack when one is more than 14 "
        "days overdue."
    )
    assert result.status == "draft" and result.workflow is not None
    assert result.workflow["trigger"]["type"] == "schedule"
    actions = [s.get("action") for s in result.workflow["steps"]]
    assert any(a and a.startswith("stripe.") for a in actions) and "slack.post_message" in actions
