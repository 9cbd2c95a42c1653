"""The nouns the describer uses: what each action's output is called, data fields in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# What a step's output is called, by action: (the whole output, {field: noun}).
# A field noun without an article ("matching contacts") is a collection: conditions say
# "there are matching contacts" when it is not empty.
OUTPUT_NOUNS: dict[str, tuple[str, dict[str, str]]] = {
    "ai.categorize": ("the AI's label", {"label": "the AI's label"}),
    "ai.summarize": ("the AI summary", {"summary": "the AI summary"}),
    "ai.draft_reply": ("the AI-drafted reply", {"reply": "the AI-drafted reply"}),
    "ai.extract": ("the details AI pulled out", {}),
    "alert.crossed": ("the checked value", {"value": "the checked value"}),
    "credentials.rotate": ("the rotation result", {"preview": "the new secret's masked preview"}),
    "crm.delete_contacts": ("how many contacts were deleted", {}),
    "crm.find_contacts": ("the contacts found", {"contacts": "matching contacts"}),
    "crm.get_contact": ("the contact's details", {"milestones": "the contact's milestones"}),
    "crm.sync_hubspot": ("the sync results", {"conflicts": "sync conflicts"}),
    "crm.update_contact": ("the CRM update", {}),
    "crm.upsert_contact": ("the CRM contact", {}),
    "email.send": ("the email sent", {"recipients": "the email's recipients"}),
    "email.send_bulk": ("the bulk email results", {}),
    "http.request": ("the web response", {"status": "the response status"}),
    "hubspot.list_contacts": ("the HubSpot contacts", {"contacts": "HubSpot contacts"}),
    "hubspot.upsert_contact": ("the HubSpot contact", {}),
    "report.build": (
        "the report",
        {"text": "the report", "html": "the report", "title": "the report's title"},
    ),
    "http.check_pages": (
        "the changes on the pages (before and after)",
        {
            "summary": "the changes on the pages",
            "before": "what the pages said before",
            "after": "what they say now",
            "pages": "pages that changed",
            "count": "the number of pages that changed",
        },
    ),
    "rss.new_items": ("the new feed items", {"items": "new feed items"}),
    "sheets.append_row": ("the new row", {}),
    "social.mentions": ("the new mentions", {"items": "new mentions"}),
    "sheets.read_rows": ("the sheet's rows", {"rows": "rows in the sheet"}),
    "sheets.update_row": ("the updated rows", {}),
    "slack.post_message": ("the Slack post", {}),
    "stripe.get_customer": ("the customer's details", {}),
    "stripe.invoice_reminders": ("the reminders sent", {"escalate": "invoices to escalate"}),
    "stripe.list_invoices": ("the invoices found", {"invoices": "matching invoices"}),
    "stripe.mark_invoice_paid": ("the paid invoice", {}),
    "stripe.summarize_payments": ("the payments summary", {"text": "the payments summary"}),
    "stripe.update_customer": ("the Stripe update", {}),
    "stripe.update_subscription": ("the subscription change", {}),
    "stripe.cancel_subscription": ("the cancellation", {}),
}
FIELD_WORDS = {
    "from": "sender",
    # a Slack reaction: who reacted (user_name) and who wrote the message reacted to
    "item_user_name": "author's name",
    "from_name": "sender's name",
    "email": "email address",
    "customer_email": "email address",
    "html": "text",
    "phone": "phone number",
    "hosted_invoice_url": "invoice link",
    "amount_due": "amount due",
    "amount_paid": "amount paid",
    "user": "author",
    "fired_at": "start time",
    "url": "link",
    "link": "link",
    "count": "number of items",
}
STRIPE_SUBJECTS = (
    ("invoice.", "the invoice"),
    ("charge.", "the payment"),
    ("payment_intent.", "the payment"),
    ("checkout.session.", "the checkout"),
    ("customer.subscription.", "the subscription"),
    ("customer.", "the customer"),
)


def read_noun(step: Mapping[str, Any]) -> str | None:
    """What a web read its name says it reads ("Read the tickets from …" → "the tickets")."""
    if step.get("action") != "http.request":
        return None
    found = re.match(r"Read (the [\w' -]+?) (?:from|kept|in)\b", str(step.get("name") or ""))
    return found.group(1) if found else None
