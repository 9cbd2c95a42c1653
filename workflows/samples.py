"""Sample data for a workflow, and each message it sends rendered on that sample.

A realistic trigger payload per trigger type (a form submission, an email, a Stripe event, a
Slack message, feed items, a schedule tick) comes from the data files in `sample_data/`. Each
message step's inputs are rendered with the real sandboxed renderer (`workflows.expressions`)
against that payload and the earlier steps' sample outputs (the offline AI skills where they
exist, `sample_data/step_outputs.json` otherwise), so a card can say "It will post in #sales:
“New lead: Jane Doe …”". Pure: nothing here touches the database or the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from integrations import ai_offline
from integrations.stripe_reminders import fill_placeholders
from workflows.describe_refs import Scene, channel_words, host_words, recipient_words
from workflows.expressions import ExpressionError, evaluate, render_value, summary
from workflows.schedule_words import next_runs

DATA = Path(__file__).with_name("sample_data")
BODY_LIMIT = 1500
SKIPPED = "With this sample its condition is not met, so this step would be skipped."
UNCHECKED = "Its condition cannot be checked on sample data."
UNFILLED = "Part of it could not be filled in from the sample data."
MessageKind = Literal["slack", "email", "http"]
_FIELD_HINTS = (
    ("email", "email"),
    ("phone", "phone"),
    ("tel", "phone"),
    ("company", "company"),
    ("business", "company"),
    ("name", "name"),
)
_STRIPE_OBJECTS = (
    ("invoice", "invoice"),
    ("charge", "charge"),
    ("payment_intent", "charge"),
    ("checkout", "checkout"),
    ("customer.subscription", "subscription"),
    ("customer", "customer"),
)


@lru_cache(maxsize=16)
def load(name: str) -> dict[str, Any]:
    """One sample data file (`sample_data/<name>.json`)."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


class SampleData(dict[str, Any]):
    """Sample data: a field the sample does not have reads as "[field]" instead of failing."""

    def __missing__(self, key: str) -> str:
        return f"[{key}]"


def wrap(value: Any) -> Any:
    """A JSON-like value with every dict made a `SampleData`."""
    if isinstance(value, Mapping):
        return SampleData({str(k): wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


@dataclass(frozen=True)
class SampleMessage:
    """A message a step sends, as rendered on the sample data."""

    kind: MessageKind
    to: str
    body: str
    subject: str | None = None
    note: str | None = None

    def headline(self, *, tried: bool = False) -> str:
        """ "It will post in #sales:" (or "It would …" for a try)."""
        verb = "would" if tried else "will"
        if self.kind == "slack" and self.to.endswith("(direct message)"):
            return f"It {verb} send {self.to.removesuffix(' (direct message)')} a direct message:"
        if self.kind == "slack":
            return f"It {verb} post in {self.to}:"
        if self.kind == "email":
            return f"It {verb} email {self.to}:"
        return f"It {verb} send this to {self.to}:"


def _form_value(name: str, kind: str) -> Any:
    sample = load("webhook")
    if name in sample["payload"]:
        return sample["payload"][name]
    for hint, key in _FIELD_HINTS:
        if hint in name:
            value = str(sample["payload"][key])
            return value.split()[0] if name.startswith("first") else value
    if any(word in name for word in ("message", "question", "comment", "note", "detail")):
        return sample["payload"]["message"]
    return sample["by_type"].get(kind, "Sample answer")


def _webhook(trigger: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    sample = load("webhook")
    form = trigger.get("form")
    fields = form.get("fields") if isinstance(form, Mapping) else None
    if not isinstance(fields, list) or not fields:
        return dict(sample["payload"]), str(sample["about"])
    payload = {
        str(f["name"]): _form_value(str(f["name"]), str(f.get("type", "text")))
        for f in fields
        if isinstance(f, Mapping) and f.get("name")
    }
    return payload, str(sample["about"])


def _email(trigger: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    sample = load("email")
    payload = dict(sample["payload"])
    address = str(trigger.get("address") or "")
    if "@" in address and "." in address.split("@", 1)[1]:
        payload["to"] = [address]
    if trigger.get("subject_contains"):
        payload["subject"] = f"{trigger['subject_contains']}: {payload['subject']}"
    return payload, str(sample["about"])


def stripe_object(event: str) -> dict[str, Any]:
    """A sample Stripe object for an event type (an invoice, a charge, a customer …)."""
    sample = load("stripe")
    for prefix, name in _STRIPE_OBJECTS:
        if event.startswith(prefix):
            obj = dict(sample[name])
            break
    else:
        obj = dict(sample["invoice"])
    if event.endswith("failed") or event.endswith("overdue"):
        obj.update(status="open", amount_paid=0, amount_remaining=obj.get("amount_due", 0))
    return obj


def _stripe(trigger: Mapping[str, Any], now: datetime) -> tuple[dict[str, Any], str]:
    events = [str(e) for e in trigger.get("events") or [] if isinstance(e, str)]
    event = next((e for e in events if "*" not in e), "")
    if not event:
        prefix = (events[0] if events else "").removesuffix("*").removesuffix(".")
        event = {"invoice": "invoice.paid", "customer": "customer.created"}.get(
            prefix, "invoice.paid"
        )
    payload = {
        "type": event,
        "id": "evt_Sample123",
        "created": int(now.timestamp()),
        "data": {"object": stripe_object(event)},
    }
    return payload, str(load("stripe")["about"])


def _slack(trigger: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    sample = load("slack")
    payload = dict(sample["payload"])
    if trigger.get("channel"):
        payload["channel_name"] = str(trigger["channel"]).lstrip("#")
    if trigger.get("command"):
        payload["command"] = str(trigger["command"])
    keyword = str(trigger.get("keyword") or "")
    if keyword and keyword.lower() not in str(payload["text"]).lower():
        payload["text"] = f"{keyword}: {payload['text']}"
    return payload, str(sample["about"])


def sample_trigger(trigger: Any, now: datetime | None = None) -> tuple[SampleData, str]:
    """A realistic payload for this trigger, and what it is in words ("a sample email …")."""
    now = now or datetime.now(UTC)
    trigger = trigger if isinstance(trigger, Mapping) else {}
    kind = trigger.get("type")
    if kind == "webhook":
        payload, about = _webhook(trigger)
    elif kind == "email":
        payload, about = _email(trigger)
    elif kind == "stripe":
        payload, about = _stripe(trigger, now)
    elif kind == "slack":
        payload, about = _slack(trigger)
    elif kind == "poll":
        items = load("poll")["items"]
        payload = {"fired_at": now.isoformat(), "items": items, "count": len(items)}
        payload["feed"] = str(trigger.get("url") or "")
        about = str(load("poll")["about"])
    else:
        payload, about = dict(load("schedule")["payload"]), str(load("schedule")["about"])
        payload["fired_at"] = _first_run(trigger, now).isoformat()
    return wrap(payload), about


def _first_run(trigger: Mapping[str, Any], now: datetime) -> datetime:
    if trigger.get("type") == "schedule":
        try:
            return next(iter(next_runs(trigger, 1, now)), now)
        except (ValueError, KeyError, TypeError):
            return now
    return now


def sample_context(spec: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The template context of a sample run: the trigger payload, no step outputs yet."""
    now = now or datetime.now(UTC)
    trigger, _ = sample_trigger(spec.get("trigger"), now)
    return {
        "trigger": trigger,
        "steps": {},
        "workspace": {"id": "sample", "name": "Your workspace", "slug": "your-workspace"},
        "workflow": {"id": "sample", "name": str(spec.get("name") or "")},
        "run": {"id": "sample", "dry_run": True},
        "now": now.isoformat(),
    }


def render_inputs(step: Mapping[str, Any], context: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The step's inputs rendered key by key, and whether any could not be filled in."""
    inputs = step.get("inputs")
    rendered: dict[str, Any] = {}
    failed = False
    for key, value in (inputs if isinstance(inputs, Mapping) else {}).items():
        try:
            rendered[str(key)] = render_value(value, context)
        except ExpressionError:
            failed = True
    return rendered, failed


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else summary(value) if value is not None else ""
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def _addresses(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if isinstance(v, str) and "@" in v and ":" not in v]


def message_of(
    step: Mapping[str, Any], inputs: Mapping[str, Any], scene: Scene
) -> SampleMessage | None:
    """The message a step sends with these rendered inputs (None for steps that send none)."""
    action = str(step.get("action") or "")
    raw = step.get("inputs") if isinstance(step.get("inputs"), Mapping) else {}
    assert isinstance(raw, Mapping)
    if action == "slack.post_message":
        to = channel_words(raw.get("channel"), scene)
        return SampleMessage("slack", to, _text(inputs.get("text")))
    if action == "email.send":
        to = recipient_words(raw.get("to"), scene)
        shown = _addresses(inputs.get("to"))
        if shown and "{" in json.dumps(raw.get("to")):
            to = f"{to} ({', '.join(shown)})"
        subject = _text(inputs.get("subject"))
        return SampleMessage("email", to, _text(inputs.get("text")), subject)
    if action == "email.send_bulk":
        body, subject = _text(inputs.get("text")), _text(inputs.get("subject"))
        return SampleMessage("email", "every contact it selects in your CRM", body, subject)
    if action == "stripe.invoice_reminders":
        row = load("step_outputs")["stripe.list_invoices"]["invoices"][0]
        subject = fill_placeholders(str(inputs.get("subject") or ""), row)
        text = fill_placeholders(str(inputs.get("text") or ""), row)
        return SampleMessage("email", "each customer with an overdue invoice", text, subject)
    if action == "http.request" and str(inputs.get("method", "GET")).upper() not in ("GET", "HEAD"):
        body = inputs.get("json_body", inputs.get("json", inputs.get("body")))
        text = json.dumps(body, indent=1, default=str) if not isinstance(body, str) else body
        return SampleMessage("http", host_words(raw.get("url")), _text(text))
    return None


def sample_output(action: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What a step gives later steps on sample data (offline AI skills, else the data file)."""
    try:
        if action == "ai.categorize":
            found = ai_offline.categorize(
                str(inputs["text"]), [str(x) for x in inputs["labels"]], inputs.get("fallback")
            )
            return {"label": found.label, "confidence": found.confidence, "source": "offline"}
        if action == "ai.summarize":
            text = ai_offline.summarize(str(inputs["text"]), int(inputs.get("max_sentences", 3)))
            return {"summary": text, "source": "offline"}
        if action == "ai.extract":
            fields = [str(f) for f in inputs["fields"]]
            return {"fields": ai_offline.extract(str(inputs["text"]), fields), "source": "offline"}
        if action == "ai.draft_reply":
            templates = inputs.get("templates") or {}
            reply = ai_offline.draft_reply(
                str(inputs["message"]), inputs.get("label"), dict(templates), inputs.get("tone")
            )
            return {"reply": reply, "source": "offline"}
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    base = dict(load("step_outputs").get(action, {}))
    if action == "slack.post_message":
        base.update(channel=str(inputs.get("channel") or ""), text=inputs.get("text"))
    if action == "email.send":
        base["recipients"] = _addresses(inputs.get("to")) or base.get("recipients", [])
    return base


def preview(spec: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, SampleMessage]:
    """Each message step's message on the sample data, by step id."""
    scene = Scene.of(spec)
    context = sample_context(spec, now)
    messages: dict[str, SampleMessage] = {}
    for step in scene.steps:
        action = step.get("action")
        if step.get("wait") or not isinstance(action, str):
            continue
        note = condition_note(step.get("when"), context)
        inputs, failed = render_inputs(step, context)
        message = message_of(step, inputs, scene)
        if message is not None:
            note = note or (UNFILLED if failed else None)
            messages[str(step.get("id"))] = replace(message, note=note) if note else message
        context["steps"][str(step.get("id"))] = wrap(sample_output(action, inputs))
    return messages


def condition_note(when: Any, context: dict[str, Any]) -> str | None:
    """Why a step would not run on the sample (None when it would, or has no condition)."""
    if not isinstance(when, str) or not when.strip():
        return None
    try:
        return None if evaluate(when, context) else SKIPPED
    except ExpressionError:
        return UNCHECKED
