"""A scheduled (or manual) email to "each client" is sent once per record read, not to nobody.

The step rules draft a message to a person as `to: {{ trigger.email }}`. When a schedule, an
interval or a button starts the workflow there is no person in the trigger's data, so such a
message would go to nobody. When an earlier step reads a list (sheet rows, contacts, invoices,
a fetched JSON list), the message is sent for each of its records instead: `for_each` names
the list and its inputs read `item` (the record) where they read `trigger`.
"""

from __future__ import annotations

import re
from typing import Any

from workflows.spec import strings_in

__all__ = ["each_item", "each_record"]

_NO_PERSON = ("schedule", "interval", "manual")
# The list each reading step returns, and the record fields that name its person.
_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "sheets.read_rows": ("rows", {}),
    "crm.find_contacts": ("contacts", {}),
    "hubspot.list_contacts": ("contacts", {}),
    "stripe.list_invoices": (
        "invoices",
        {"email": "customer_email", "name": "customer_name", "customer_email": "customer_email"},
    ),
    "http.request": ("json", {}),
}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TRIGGER = re.compile(r"\btrigger\b(\.(?:data\.object\.)?([A-Za-z_]\w*))?")


# "each client WITH AN UNPAID invoice", "customers who haven't ordered", "overdue": only some of
# the records. Sheet rows and a fetched list come unfiltered, so every row would get the email
# (a reminder to the clients who paid): not looped until the draft can filter them.
_SOME_OF_THEM = re.compile(
    r"\b(?:clients?|customers?|people|members?|users?|contacts?|parents?|students?|employees?|"
    r"staff|volunteers?|tenants?|patients?|donors?|guests?|subscribers?|leads?|anyone|everyone)\s+"
    r"(?:with|who|whose|that|where|which)\b|"
    r"\b(?:unpaid|overdue|past[- ]due|outstanding|inactive|late|expired|expiring|unanswered|"
    r"pending|stuck|missing)\b"
)
_UNFILTERED = ("sheets.read_rows", "http.request")


def each_record(raw: dict[str, Any], request: str = "") -> None:
    """Send each email addressed to the trigger's person once per record of the list read
    before it, on workflows whose start carries no person (schedule, interval, manual); not
    when the request picks only some of the records and the list read is not filtered."""
    trigger = raw.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") not in _NO_PERSON:
        return
    steps = raw.get("steps")
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("action") != "email.send" or step.get("wait"):
            continue
        inputs = step.get("inputs")
        if step.get("for_each") or not isinstance(inputs, dict) or not _uses_trigger(inputs):
            continue
        source = _list_before(steps[:index])
        if source is None:
            continue
        step_id, field, names = source
        reader = next(s for s in steps if isinstance(s, dict) and s.get("id") == step_id)
        if reader.get("action") in _UNFILTERED and _SOME_OF_THEM.search(request.lower()):
            continue
        step["for_each"] = f"steps.{step_id}.{field}"
        step["inputs"] = _to_item(inputs, names)


def _list_before(steps: list[Any]) -> tuple[str, str, dict[str, str]] | None:
    """The last earlier step that reads a list: its id, its list field, its person fields."""
    for step in reversed(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            continue
        found = _LISTS.get(str(step.get("action")))
        if found is None:
            continue
        inputs = step.get("inputs") if isinstance(step.get("inputs"), dict) else {}
        method = str((inputs or {}).get("method") or "GET").upper()
        if step.get("action") == "http.request" and method != "GET":
            continue
        return step["id"], found[0], found[1]
    return None


_ITEM = re.compile(r"\bitem\b(?!_)")


def each_item(raw: dict[str, Any]) -> None:
    """A step whose inputs name `item` (a record: "DELETE …/{{ item.id }}") repeats for each
    record of the list read before it; without `for_each`, `item` is undefined when it runs.
    With no list read before it, the step is left as drafted: the event's own record is not
    always the one meant ("delete the duplicate" of a new customer is another customer)."""
    steps = raw.get("steps")
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        inputs = step.get("inputs") if isinstance(step, dict) else None
        if not isinstance(inputs, dict) or step.get("for_each") or not _uses_item(inputs):
            continue
        source = _list_before(steps[:index])
        if source is not None:
            step["for_each"] = f"steps.{source[0]}.{source[1]}"


# A template's own loop over its `item`s ("{% for item in … %}") defines it: not the record.
_OWN_LOOP = re.compile(r"\{%-?\s*for\s+item\b")


def _uses_item(inputs: dict[str, Any]) -> bool:
    texts = [text for _, text in strings_in(inputs)]
    if any(_OWN_LOOP.search(text) for text in texts):
        return False
    return any(_ITEM.search(tag) for text in texts for tag in _TAG.findall(text))


def _uses_trigger(inputs: dict[str, Any]) -> bool:
    return any(_TRIGGER.search(tag) for _, text in strings_in(inputs) for tag in _TAG.findall(text))


def _to_item(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _TAG.sub(lambda tag: _TRIGGER.sub(lambda m: _item(m, names), tag.group(0)), value)
    if isinstance(value, dict):
        return {key: _to_item(v, names) for key, v in value.items()}
    if isinstance(value, list):
        return [_to_item(v, names) for v in value]
    return value


def _item(match: re.Match[str], names: dict[str, str]) -> str:
    field = match.group(2)
    if field is None:
        return "item"
    return f"item.{names.get(field, field)}"
