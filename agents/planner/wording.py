"""The pieces drafted messages are written from: greetings, event lines, what a read step found.

Each returns template text over the fields the trigger or the step really has (a Stripe
invoice's `customer_name`, `number`, `amount_paid`; a form's `name`, `company`, `email`,
`message`; listed invoices' `customer_name`, `amount_remaining`, `overdue_days`), so the sample
preview and a real run read as written text, not as `key: value` lines.
"""

from __future__ import annotations

import re
from typing import Any

from workflows.describe_people import host_words
from workflows.describe_triggers import stripe_event_words
from workflows.emoji import EMOJI, emoji_name

__all__ = ["event_line", "greeting", "read_heading", "read_lines", "stripe_fields"]

_OBJECT = "trigger.data.object."
# (event prefix, object kind, name field, email field, amount field)
_STRIPE: tuple[tuple[str, str, str, str, str], ...] = (
    ("invoice", "invoice", "customer_name", "customer_email", "amount_due"),
    ("charge", "payment", "billing_details.name", "billing_details.email", "amount"),
    ("payment_intent", "payment", "billing_details.name", "billing_details.email", "amount"),
    ("checkout", "payment", "customer_details.name", "customer_details.email", "amount_total"),
    ("customer.subscription", "subscription", "customer", "customer", ""),
    ("customer", "customer", "name", "email", ""),
)


def _event(trigger: dict[str, Any]) -> str:
    events = [str(e) for e in trigger.get("events") or [] if isinstance(e, str)]
    return next((e for e in events if "*" not in e), events[0] if events else "invoice.paid")


def stripe_fields(trigger: dict[str, Any]) -> dict[str, str]:
    """Paths of the Stripe event object's name, email, amount, currency and number."""
    event = _event(trigger)
    prefix, kind, name, email, amount = next(
        (row for row in _STRIPE if event.startswith(row[0])), _STRIPE[0]
    )
    if prefix == "invoice" and event.endswith(("paid", "succeeded")):
        amount = "amount_paid"
    return {
        "object": kind,
        "name": _OBJECT + name,
        "email": _OBJECT + email,
        "amount": _OBJECT + amount if amount else "",
        "currency": _OBJECT + "currency",
        "number": _OBJECT + "number",
    }


def greeting(trigger: dict[str, Any]) -> str:
    """ "Hi Dana, " with the first name the trigger carries ("Hi there, " without one)."""
    kind = trigger.get("type")
    if kind == "stripe":
        name = stripe_fields(trigger)["name"]
        if stripe_fields(trigger)["object"] in ("invoice", "payment", "customer"):
            return "Hi {{ (" + name + " or 'there').split()[0] }}, "
        return "Hi there, "
    if kind == "webhook":
        return "Hi {{ (trigger.name | default('') or 'there').split()[0] }}, "
    if kind == "email":
        return "Hi {{ (trigger.from_name or 'there').split()[0] }}, "
    return "Hi there, "


def event_line(trigger: dict[str, Any], request: str = "") -> str | None:
    """An alert's line for one event ("New form submission from Jane Doe (…): …")."""
    kind = trigger.get("type")
    event = str(trigger.get("event") or "").strip()
    if (
        kind == "webhook"
        and event
        and not _by_a_person(event)
        and _submission(request) == ("New submission")
    ):
        # what happened in another app ("a pull request is merged"), not a person's submission
        return _capital(event) + ": {{ trigger | summary }}"
    if kind == "webhook":
        what = _submission(request)
        return (
            what + " from {{ trigger.name | default('someone') }}"
            "{% if trigger.company is defined and trigger.company %} ({{ trigger.company }}, "
            "{{ trigger.email | default('no email') }}){% elif trigger.email is defined %} "
            "({{ trigger.email }}){% endif %}"
            "{% if trigger.message is defined and trigger.message %}: {{ trigger.message }}"
            "{% endif %}"
        )
    if kind == "stripe":
        fields = stripe_fields(trigger)
        words = stripe_event_words(_event(trigger))
        line = "In Stripe, " + words + ": {{ " + fields["name"] + " }}"
        if fields["object"] != "subscription":
            line += " ({{ " + fields["email"] + " }})"
        if fields["amount"]:
            line += (
                ", {{ ("
                + fields["amount"]
                + " / 100) | money }} {{ "
                + fields["currency"]
                + " | upper }}"
            )
        return line + "."
    if kind == "email":
        return "New email from {{ trigger.from_name or trigger.from }}: “{{ trigger.subject }}”"
    if kind == "poll":
        return "New items in the feed:\n{{ trigger['items'] | summary }}"
    if kind == "slack" and trigger.get("reaction"):
        # who flagged which message, with what: "Sam reacted with 🔥 to Jane's message in #leads"
        name = emoji_name(str(trigger["reaction"]))
        emoji = EMOJI.get(name, f":{name}:")
        return (
            "{{ trigger.user_name | default('Someone') }} reacted with " + emoji + " to "
            "{{ trigger.item_user_name | default('someone') }}'s message in "
            "#{{ trigger.channel_name | default('a channel') }}: “{{ trigger.text }}”"
        )
    if kind == "slack" and not trigger.get("command"):
        # the message that matched, who wrote it and where: what the person alerted acts on
        keyword = str(trigger.get("keyword") or "").strip()
        about = f" mentioning “{keyword}”" if keyword else ""
        return (
            "Message" + about + " from {{ trigger.user_name | default('someone') }} in "
            "#{{ trigger.channel_name | default('a channel') }}: “{{ trigger.text }}”"
        )
    return None


def _by_a_person(event: str) -> bool:
    """Whether the event is someone sending us their details ("someone books a demo", "a
    customer requests a quote"), not a change in another app ("a pull request is merged")."""
    return bool(
        re.search(
            r"^(?:when\w*\s+)?(?:someone|somebody|anyone|a\s+(?:new\s+)?(?:customer|client|lead|"
            r"user|visitor|prospect|patient|person|guest|member|candidate|applicant|buyer|student|"
            r"parent|donor|volunteer|tenant|subscriber))\b|\b(?:books?|booked|submits?|submitted|"
            r"fills?|filled|signs?\s+up|registers?|applies|applied|enquir\w*|inquir\w*|requests?\s+a|"
            r"contacts?\s+us|reaches\s+out)\b",
            event,
        )
    )


def _submission(request: str) -> str:
    if re.search(r"\bforms?\b|typeform|tally|jotform|google\s+forms?|fills?\b", request):
        return "New form submission"
    if re.search(r"\bsign[- ]?ups?\b|\bsigns?\s+up\b|\bregist", request):
        return "New sign-up"
    if re.search(r"\borders?\b", request):
        return "New order"
    if re.search(r"\bleads?\b|\benquir", request):
        return "New lead"
    return "New submission"


def read_heading(step: dict[str, Any], asked: str | None) -> str:
    """The sentence naming what the step read ("Unpaid invoices (2):")."""
    action = str(step.get("action"))
    inputs = step.get("inputs") or {}
    ref = "steps." + str(step.get("id"))
    if action == "http.request":
        host = host_words(inputs.get("url"))
        what = _capital(asked) if asked else "The latest"
        return f"{what} (from {host}):"
    count = " ({{ " + ref + ".count }})"
    if asked:
        return _capital(asked) + count + ":"
    if action == "stripe.list_invoices":
        status = str(inputs.get("status") or "open")
        words = {"open": "Unpaid invoices", "paid": "Paid invoices"}.get(status, "Invoices")
        return words + count + ":"
    if action in ("crm.find_contacts", "hubspot.list_contacts"):
        return "Contacts found" + count + ":"
    if action == "sheets.read_rows":
        return f"Rows from {inputs.get('spreadsheet') or 'the sheet'}" + count + ":"
    return "New items" + count + ":"


def read_lines(step: dict[str, Any]) -> str:
    """The read step's output, one line per item, with its useful fields."""
    action = str(step.get("action"))
    ref = "steps." + str(step.get("id"))
    if action == "stripe.list_invoices":
        return (
            "{% for inv in " + ref + ".invoices %}• {{ inv.customer_name or inv.customer_email }}"
            ": {{ inv.amount_remaining | money }} {{ inv.currency | upper }}, "
            "{{ inv.overdue_days }} days overdue (invoice {{ inv.number or inv.id }})\n"
            "{% else %}None right now.{% endfor %}"
        )
    if action in ("crm.find_contacts", "hubspot.list_contacts"):
        return (
            "{% for c in " + ref + ".contacts %}• {{ c.name or c.email }}"
            "{% if c.company %} ({{ c.company }}){% endif %}\n{% else %}None right now.{% endfor %}"
        )
    if action == "sheets.read_rows":
        return (
            "{% for row in " + ref + ".rows %}• {{ row | summary | replace('\\n', ', ') }}\n"
            "{% else %}None right now.{% endfor %}"
        )
    if action == "http.request":
        shown = f"{ref}.json if {ref}.json is not none else {ref}.text"
        return "{{ (" + shown + ") | summary }}"
    return "{{ " + ref + "['items'] | summary }}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
