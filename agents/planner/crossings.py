"""Metric alerts ("alert #ops when the queue depth goes over 100"): notify on the crossing only.

A metric read on a schedule, or posted by a monitor's webhook, is checked by `alert.crossed`
first; the notifications run when `steps.check.crossed` is true, so a value that stays over the
threshold alerts once, not on every check. Discrete events ("an order over $500") are not metrics:
each one is its own alert, and `builder` gives those a plain condition instead.
"""

from __future__ import annotations

import re

from agents.planner.intents import TriggerReading
from agents.planner.steps import StepList
from agents.planner.text import has

_NOTIFY = ("slack.post_message", "email.send")
_GENERIC_TEXT = "{{ trigger | summary }}"
_METRIC_WORDS = (
    r"\b(?:metrics?|monitor\w*|sensors?|cpu|memory|disk|latency|error\s+rate|queue|backlog|"
    r"temperature|humidity|load|response\s+time|usage|readings?)\b"
)
_ABOVE = r"over|above|more\s+than|greater\s+than|exceeds?|at\s+least|hits|reaches"
_BELOW = r"below|under|less\s+than|drops?\s+below|falls?\s+below|drops?\s+under|falls?\s+under"
_COMPARISON = re.compile(
    r"\b(?:when|if|once|whenever)\s+(?:the\s+|our\s+|its\s+|their\s+|a\s+)?"
    r"(?P<name>[a-z][a-z0-9_-]*(?:\s+[a-z][a-z0-9_-]*){0,3}?)\s+"
    r"(?:(?:goes|is|gets|rises|climbs|jumps|stays|are|go|get)\s+)?"
    r"(?:(?P<above>" + _ABOVE + r")|(?P<below>" + _BELOW + r"))\s*[$£€]?\s*"
    r"(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b)?"
)


def add_crossing_check(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """Put an `alert.crossed` check before the notifications of a metric alert, and gate them."""
    notify = [s for s in steps.items if s.get("action") in _NOTIFY and "when" not in s]
    found = _COMPARISON.search(t)
    if not notify or found is None:
        return
    reading = _reading(steps, t, trigger)
    if reading is None:
        return
    name = found.group("name").strip()
    field = re.sub(r"[^a-z0-9]+", "_", name).strip("_") or "value"
    number = float(found.group("number").replace(",", "")) * (1000 if found.group("k") else 1)
    source = f"steps.{reading}.json" if reading != "trigger" else "trigger"
    value = f"{{{{ {source}.{field} }}}}"
    if reading == "trigger" and field != "value":
        value = f"{{{{ trigger.{field} | default(trigger.value) }}}}"
    threshold = int(number) if number.is_integer() else number
    inputs: dict[str, object] = {"key": field, "value": value, "threshold": threshold}
    if found.group("below"):
        inputs["direction"] = "below"
    check = {"id": _free_id(steps), "action": "alert.crossed", "inputs": inputs}
    steps.items.insert(steps.items.index(notify[0]), check)
    sign = "under" if found.group("below") else "threshold"
    text = f":warning: {name} is {{{{ steps.{check['id']}.value }}}} ({sign} {number:g})"
    for step in notify:
        step["when"] = f"steps.{check['id']}.crossed"
        if step["action"] == "slack.post_message" and step["inputs"].get("text") == _GENERIC_TEXT:
            step["inputs"]["text"] = text


def _reading(steps: StepList, t: str, trigger: TriggerReading) -> str | None:
    """Where the metric comes from: an HTTP read's step id, "trigger" for a monitor, or None."""
    if trigger.kind in ("schedule", "interval", "manual"):
        return next(
            (
                s["id"]
                for s in steps.items
                if s.get("action") == "http.request" and s["inputs"].get("method") == "GET"
            ),
            None,
        )
    if trigger.kind == "webhook" and has(t, _METRIC_WORDS):
        return "trigger"
    return None


def _free_id(steps: StepList) -> str:
    taken = {s["id"] for s in steps.items}
    return "check" if "check" not in taken else f"check_{len(taken) + 1}"
