"""Realistic sample trigger payloads, one per trigger type, from the files in `sample_data/`.

A form submission (a hosted form's own fields filled by name and type), what another app sends
for an event it names (a merged pull request, a support ticket, a task: `app_events.json`), an
email, a Stripe event (the object picked by event type), a Slack message, feed items, a schedule
tick. `SampleData` reads a field the sample lacks as "[field]", so rendering a template on it
never fails for that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from integrations.page_changes import trigger_data
from workflows.schedule_words import next_runs

DATA = Path(__file__).with_name("sample_data")
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


def _app_event(trigger: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """A sample of what another app sends for the event ("a pull request is merged", "a zendesk
    ticket is marked urgent"), or None when the event is not one of those kinds."""
    words = f"{trigger.get('source') or ''} {trigger.get('event') or ''}".lower()
    if not words.strip():
        return None
    for kind in load("app_events")["kinds"]:
        if re.search(str(kind["words"]), words):
            return dict(kind["payload"]), str(kind["about"])
    return None


def _webhook(trigger: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    sample = load("webhook")
    form = trigger.get("form")
    fields = form.get("fields") if isinstance(form, Mapping) else None
    if not isinstance(fields, list) or not fields:
        return _app_event(trigger) or (dict(sample["payload"]), str(sample["about"]))
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
    if trigger.get("reaction"):  # Jane's message, reacted to by a teammate
        payload |= {
            "kind": "reaction",
            "reaction": str(trigger["reaction"]).strip(":"),
            "item_user": payload["user"],
            "item_user_name": payload["user_name"],
            "user": "U0SAM",
            "user_name": "sam",
        }
    keyword = str(trigger.get("keyword") or "")
    if keyword and keyword.lower() not in str(payload["text"]).lower():
        payload["text"] = f"{keyword}: {payload['text']}"
    return payload, str(sample["about"])


def _page_change(trigger: Mapping[str, Any], now: datetime) -> tuple[dict[str, Any], str]:
    """A realistic change of the first watched page: a line or a price, before and after."""
    sample = load("page_change")
    pages = trigger.get("pages")
    url = str(pages[0]) if isinstance(pages, list) and pages else str(sample["page"])
    watch = "prices" if trigger.get("watch") == "prices" else "text"
    moves_down = watch == "prices" and trigger.get("price_moves") == "down"
    changes = [dict(c) for c in sample["price_drops" if moves_down else watch]]  # a drop, if asked
    return {"fired_at": now.isoformat(), **trigger_data(url, watch, changes)}, str(sample["about"])


def page_check_sample(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What `http.check_pages` would return on a sample change of its first page (a drop for a
    check of drops, as the watch's own sample)."""
    change, _ = _page_change(inputs, datetime.now(UTC))
    change.pop("fired_at", None)
    page = str(change["page"])
    return {
        "changed": True,
        "count": 1,
        "pages": [change],
        "summary": change["summary"],
        "before": f"{page}: {change['before']}",
        "after": f"{page}: {change['after']}",
        "failed_pages": [],
    }


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
    elif kind == "poll" and trigger.get("pages"):
        payload, about = _page_change(trigger, now)
    elif kind == "poll" and trigger.get("sheet"):
        payload, about = dict(load("sheet_row")["payload"]), str(load("sheet_row")["about"])
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
