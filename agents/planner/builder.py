"""Assemble a WorkflowSpec dict from a request's trigger and slots, using catalogue actions only."""

from __future__ import annotations

import re
from typing import Any

from agents.learned import Prediction
from agents.planner import rules
from agents.planner.acknowledgements import acknowledge_replies
from agents.planner.crossings import add_crossing_check
from agents.planner.dangerous import add_dangerous_steps, mark_impact
from agents.planner.intents import TriggerReading
from agents.planner.model_steps import add_model_steps, route_messages, write_back
from agents.planner.naming import short_name
from agents.planner.notify import answer_in_slack
from agents.planner.recipients import reminder_points_masked
from agents.planner.records import add_removal
from agents.planner.slots import Slots
from agents.planner.steps import StepList
from agents.planner.text import has

_CATEGORY_OF_TRIGGER = {"email": "customer_support", "poll": "notifications"}


def build_spec(request: str, trigger: TriggerReading, slots: Slots) -> dict[str, Any]:
    """A best-effort WorkflowSpec dict for the request: read, AI, write, then notify steps."""
    t = reminder_points_masked(slots.text)  # "remind me to send the numbers": only the reminder
    name = short_name(request, trigger.kind)
    steps = StepList()
    rules.add_reads(steps, t, trigger, slots)
    rules.add_ai(steps, t, trigger, slots)
    rules.add_writes(steps, t, trigger, slots)
    add_removal(steps, t, trigger, slots)  # out of a channel or list: nobody is deleted
    add_dangerous_steps(steps, t, trigger)  # deletes, refunds, payments: never dropped
    if rules.wants_report(t, slots, trigger.kind):
        inputs: dict[str, Any] = {"period": rules.period(t), "title": name}
        sections = rules.report_sections(t)
        if sections:
            inputs["include"] = sections
        steps.add("build_report", "report.build", inputs)
        rules.figure_reads(steps, t, trigger)  # orders, signups…: read where they are kept
    rules.add_emails(steps, t, trigger, slots)
    rules.add_slack(steps, t, trigger, slots)
    rules.cover_named_tools(steps, t, trigger, slots)
    route_messages(steps, t, trigger)  # "on WhatsApp": through that tool, not by email
    acknowledge_replies(steps, trigger.kind, t)  # a reply acknowledges; it never echoes the mail
    add_crossing_check(steps, t, trigger)  # metrics: alert on the crossing only
    _threshold_conditions(steps, t, trigger, slots)  # events: alert on each one over
    _attempt_condition(steps, t, trigger)  # "after the 3rd failed payment": not on the first
    mark_impact(steps, t)  # a risky act done through a plain write: an owner confirms it
    return {
        "name": name,
        "description": request.strip()[:2000],
        "category": _category(t, trigger.kind, steps),
        "trigger": trigger.spec,
        "steps": steps.items,
    }


_NOTIFY = ("slack.post_message", "email.send")
_FIELD = re.compile(r"\b(budget|total|amount|value|price|revenue|deal|order)\b")


def _threshold_conditions(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """'orders over $500' on an event: notifications only fire above the amount."""
    if slots.threshold is None or slots.percent or trigger.kind not in ("webhook", "stripe"):
        return
    if not re.search(r"\b(over|above|more\s+than|greater\s+than|exceeds?|bigger\s+than)\b", t):
        return
    found = _FIELD.search(t)
    field = {"order": "total", "deal": "amount", None: "amount"}.get(
        found.group(1) if found else None, found.group(1) if found else "amount"
    )
    condition = f"(trigger.{field} | default(0) | float) > {slots.threshold:g}"
    for step in steps.items:
        sends = step.get("action") == "http.request" and step["inputs"].get("method") == "POST"
        if (step.get("action") in _NOTIFY or sends) and "when" not in step:
            step["when"] = condition  # a text or a chat message too: only above the amount


_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
# "after the 3rd failed payment", "when a payment fails for the third time", "3 failed payments
# in a row", "on the second failed attempt": Stripe counts an invoice's attempts for us.
_ATTEMPTS = re.compile(
    r"\b(?:after|on|at)\s+(?:the\s+)?(?P<a>\d)(?:st|nd|rd|th)?\s+(?:failed|unsuccessful|declined)\s+"
    r"(?:payments?|charges?|attempts?|retr(?:y|ies))\b|"
    r"\b(?:after|on|at)\s+(?:the\s+)?(?P<b>second|third|fourth|fifth)\s+(?:failed|unsuccessful|"
    r"declined)\s+(?:payments?|charges?|attempts?|retr(?:y|ies))\b|"
    r"\bfails?\s+(?:for\s+)?the\s+(?:(?P<c>\d)(?:st|nd|rd|th)|(?P<d>second|third|fourth|fifth))\s+"
    r"time\b|"
    r"\b(?P<e>\d)\s+failed\s+(?:payments?|charges?|attempts?)\s+in\s+a\s+row\b"
)


def _attempt_condition(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """A failed Stripe payment on its Nth try: every step runs only from that attempt on (the
    invoice's `attempt_count`); the first failures pass by."""
    if trigger.kind != "stripe" or "invoice.payment_failed" not in trigger.spec.get("events", []):
        return
    found = _ATTEMPTS.search(t)
    if found is None:
        return
    word = next(g for g in found.groups() if g)
    n = int(word) if word.isdigit() else _ORDINALS[word]
    if n < 2:
        return
    for step in steps.items:
        if "when" not in step and "wait" not in step:
            step["when"] = f"(trigger.data.object.attempt_count | default(0) | int) >= {n}"


def _category(t: str, trigger: str, steps: StepList) -> str:
    actions = {s["action"] for s in steps.items if "action" in s}
    if "report.build" in actions or "stripe.summarize_payments" in actions:
        return "reporting"
    if has(t, r"\bsync\w*\b|\btwo[- ]way\b|\bboth ways\b|\bmatched up\b"):
        return "data_sync"
    if has(t, r"\binvoice|\bonboard|\bwelcome|\bdeal\b"):
        return "sales_automation"
    if has(t, r"\blead|\bform\b|\bsign"):
        return "lead_capture"
    return _CATEGORY_OF_TRIGGER.get(trigger, "notifications")


def complete_spec(
    raw: dict[str, Any], trigger: TriggerReading, slots: Slots, prediction: Prediction | None
) -> None:
    """Add to the drafted (and template-shaped) steps what only the model noticed."""
    steps = StepList()
    steps.items = raw["steps"]
    add_model_steps(steps, slots.text, trigger, slots, prediction)
    write_back(steps, slots.text, trigger)  # "… in trello -> assign it": written back there
    answer_in_slack(steps, slots.text, trigger, slots)  # "/leads … reply with …": said back
