"""`stripe.invoice_reminders` and `stripe.mark_invoice_paid`: dunning for unpaid Stripe invoices.

State per invoice lives on the customer's CRM contact, `fields["invoices"][invoice_id]` =
`{"reminded": [3, 7], "escalated_run": run_id, "paid_at": iso}`; the reminder sends themselves
are keyed by workflow, invoice and stage, so even a lost state write never sends twice.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pydantic import Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from integrations.base import (
    Action,
    ActionContext,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from integrations.stripe import ListInvoicesInput, _money, list_invoices, stripe_client
from storage.models import CrmContact
from storage.scope import Tenant
from storage.types import utcnow

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
REMINDER_SUBJECT = "Reminder: invoice {invoice} is {days} days overdue"
REMINDER_TEXT = (
    "Hello {customer_name}, our records show that invoice {invoice} for {amount}, due on "
    "{due_date}, is still unpaid. You can pay it here: {pay_link}. If you have already paid, "
    "thank you, and please ignore this message."
)


class InvoiceRemindersInput(ActionInput):
    """Inputs of stripe.invoice_reminders (`{invoice}`, `{amount}`, `{days}`... fill the text)."""

    stages: list[int] = Field(default=[3, 7, 14], min_length=1, max_length=10)
    escalate_after_days: int = Field(default=14, ge=1)
    subject: str = REMINDER_SUBJECT
    text: str = REMINDER_TEXT
    limit: int = Field(default=500, ge=1, le=1000)


class InvoiceRemindersOutput(ActionOutput):
    """Reminders sent by this run, invoices to escalate, and paid ones left alone."""

    reminded: list[dict[str, Any]]
    escalate: list[dict[str, Any]]
    skipped_paid: list[str]
    count: int


class MarkInvoicePaidInput(ActionInput):
    """Inputs of stripe.mark_invoice_paid (from an `invoice.paid` event)."""

    invoice_id: str = Field(min_length=1)
    email: str | None = None


class MarkInvoicePaidOutput(ActionOutput):
    """Whether a CRM contact now records the invoice as paid."""

    invoice_id: str
    recorded: bool


def fill_placeholders(template: str, row: dict[str, Any]) -> str:
    """`{name}` placeholders from one invoice row (unknown names stay as written)."""
    cur = str(row["currency"])
    values = {
        "invoice": row["number"] or row["id"], "amount": _money(row["amount_remaining"], cur),
        "days": str(row["overdue_days"]), "due_date": (row["due_date"] or "")[:10],
        "pay_link": row["hosted_invoice_url"] or "the link in your invoice email",
        "customer_name": row["customer_name"] or "there",
    }  # fmt: skip
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


async def _invoice_states(ctx: ActionContext, emails: set[str]) -> dict[str, dict[str, Any]]:
    """Each contact's `fields["invoices"]` (state per invoice id), by email."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(CrmContact).where(col(CrmContact.email).in_(sorted(emails)))
        found = await tenant.all(query)
    return {c.email: dict(c.fields.get("invoices") or {}) for c in found}


async def _update_invoice_state(
    ctx: ActionContext, email: str, invoice_id: str, change: dict[str, Any]
) -> None:
    """Merge `change` into the contact's state for one invoice (contact created if new)."""
    for _ in range(2):
        async with ctx.sessions() as session:
            tenant = Tenant(session, ctx.workspace_id)
            query = tenant.select(CrmContact).where(CrmContact.email == email)
            contact = await tenant.first(query) or tenant.add(
                CrmContact(workspace_id=ctx.workspace_id, email=email, source="stripe")
            )
            invoices = dict(contact.fields.get("invoices") or {})
            invoices[invoice_id] = {**invoices.get(invoice_id, {}), **change}
            contact.fields = {**contact.fields, "invoices": invoices}
            try:
                await session.commit()
                return
            except IntegrityError:
                await session.rollback()  # the contact was created concurrently: merge into it
    raise RetryableError(f"contact {email} is being written concurrently")


async def invoice_reminders(
    ctx: ActionContext, inputs: InvoiceRemindersInput
) -> InvoiceRemindersOutput:
    """Remind each unpaid invoice's customer once per stage reached; list those to escalate.

    One email per invoice per stage, ever: the send is keyed by workflow, invoice and stage,
    so daily runs (and retries) never repeat it; a missed day sends only the latest stage.
    Invoices Stripe no longer lists as open, or that an `invoice.paid` event marked paid
    (`stripe.mark_invoice_paid`), get nothing.
    """
    listed = await list_invoices(
        ctx, ListInvoicesInput(status="open", overdue_days=min(inputs.stages), limit=inputs.limit)
    )
    emails = {str(r["customer_email"]).lower() for r in listed.invoices if r["customer_email"]}
    states = await _invoice_states(ctx, emails)
    out = InvoiceRemindersOutput(reminded=[], escalate=[], skipped_paid=[], count=0)
    for row in listed.invoices:
        email = str(row["customer_email"] or "").lower()
        state = states.get(email, {}).get(row["id"], {})
        if state.get("paid_at"):
            out.skipped_paid.append(row["id"])
            continue
        reached = max((s for s in inputs.stages if row["overdue_days"] >= s), default=None)
        if email and reached is not None and reached not in state.get("reminded", []):
            await _remind(ctx, inputs, row, email, reached)
            if not ctx.dry_run:
                reminded = sorted({*state.get("reminded", []), reached})
                await _update_invoice_state(ctx, email, row["id"], {"reminded": reminded})
            out.reminded.append({"invoice": row["id"], "email": email, "stage": reached,
                                 "overdue_days": row["overdue_days"]})  # fmt: skip
        first_escalation = state.get("escalated_run") in (None, ctx.run_id)
        if row["overdue_days"] > inputs.escalate_after_days and first_escalation:
            out.escalate.append(row)
            if email and not ctx.dry_run:
                await _update_invoice_state(ctx, email, row["id"], {"escalated_run": ctx.run_id})
    out.count = len(out.reminded)
    return out


async def _remind(
    ctx: ActionContext, inputs: InvoiceRemindersInput, row: dict[str, Any], email: str, stage: int
) -> None:
    from integrations import email as mail

    key = f"{ctx.workflow_id}:invoice:{row['id']}:day{stage}"
    message = mail.SendInput(
        to=email,
        subject=fill_placeholders(inputs.subject, row),
        text=fill_placeholders(inputs.text, row),
    )
    await mail.send(replace(ctx, idempotency_key=key), message)


async def mark_invoice_paid(
    ctx: ActionContext, inputs: MarkInvoicePaidInput
) -> MarkInvoicePaidOutput:
    """Record on the customer's CRM contact that the invoice is paid: no more reminders for it."""
    email = (inputs.email or "").strip().lower()
    if not email:
        async with stripe_client(ctx) as client:
            invoice = await client.v1.invoices.retrieve_async(inputs.invoice_id)
        email = str(invoice.to_dict().get("customer_email") or "").lower()
    if not email or ctx.dry_run:
        return MarkInvoicePaidOutput(invoice_id=inputs.invoice_id, recorded=False)
    await _update_invoice_state(ctx, email, inputs.invoice_id, {"paid_at": utcnow().isoformat()})
    return MarkInvoicePaidOutput(invoice_id=inputs.invoice_id, recorded=True)


ACTIONS: list[Action[Any, Any]] = [
    Action("stripe.invoice_reminders",
           "Remind unpaid invoices on days 3, 7 and 14 overdue (once each); list escalations.",
           Risk.external, InvoiceRemindersInput, InvoiceRemindersOutput, invoice_reminders),
    Action("stripe.mark_invoice_paid", "Record an invoice as paid (stops its reminders).",
           Risk.external, MarkInvoicePaidInput, MarkInvoicePaidOutput, mark_invoice_paid),
]  # fmt: skip
