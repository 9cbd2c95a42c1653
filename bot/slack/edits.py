"""The draft card's Edit form: which parts of a spec it offers, and applying what was typed."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from workflows.cron import validate_crontab

_THRESHOLD = re.compile(r"(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)")
CRON, CHANNEL, RECIPIENTS, THRESHOLD = "cron", "channel", "recipients", "threshold:"


class EditError(ValueError):
    """Typed values that do not fit; `errors` maps a form field (block id) to the problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class EditableFields:
    """The values the Edit form shows: schedule, channel, recipients and thresholds."""

    cron: str | None = None
    channel: str | None = None
    recipients: str | None = None
    thresholds: dict[str, str] = field(default_factory=dict)


def editable_fields(spec: dict[str, Any]) -> EditableFields:
    """What of this spec the form can change (only the parts it has)."""
    trigger = spec.get("trigger", {})
    cron = str(trigger["cron"]) if trigger.get("type") == "schedule" else None
    channel = recipients = None
    thresholds: dict[str, str] = {}
    for step in spec.get("steps", []):
        inputs = step.get("inputs", {})
        if channel is None and isinstance(inputs.get("channel"), str):
            channel = inputs["channel"]
        if recipients is None and "to" in inputs:
            to = inputs["to"]
            recipients = ", ".join(to) if isinstance(to, list) else str(to)
        match = _THRESHOLD.search(step.get("when") or "")
        if match:
            thresholds[step["id"]] = match.group(2)
    return EditableFields(cron, channel, recipients, thresholds)


def submitted_values(state: dict[str, Any]) -> dict[str, str]:
    """`view.state.values` flattened to {block id: typed text}."""
    values: dict[str, str] = {}
    for block_id, elements in state.items():
        for element in elements.values():
            value = element.get("value")
            values[block_id] = value.strip() if isinstance(value, str) else ""
    return values


def apply_edits(spec: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A new spec with the typed values in place; EditError names each field that is wrong."""
    before = editable_fields(spec)
    edited = copy.deepcopy(spec)
    errors: dict[str, str] = {}
    if before.cron is not None and values.get(CRON):
        try:
            edited["trigger"]["cron"] = validate_crontab(values[CRON])
        except ValueError as exc:
            errors[CRON] = str(exc)
    for step in edited.get("steps", []):
        _edit_step(step, before, values, errors)
    if errors:
        raise EditError(errors)
    return edited


def _edit_step(
    step: dict[str, Any], before: EditableFields, values: dict[str, str], errors: dict[str, str]
) -> None:
    inputs = step.get("inputs", {})
    channel = values.get(CHANNEL)
    if channel and before.channel is not None and inputs.get("channel") == before.channel:
        if not re.fullmatch(r"[#@]?[\w.-]{1,80}", channel):
            errors[CHANNEL] = "a channel looks like #sales or a channel ID"
        inputs["channel"] = channel
    recipients = values.get(RECIPIENTS)
    if recipients and "to" in inputs:
        addresses = [a.strip() for a in re.split(r"[,\s]+", recipients) if a.strip()]
        if not all("@" in a or "{{" in a for a in addresses):
            errors[RECIPIENTS] = "recipients are email addresses, separated by commas"
        inputs["to"] = addresses if isinstance(inputs["to"], list) else ", ".join(addresses)
    threshold = values.get(THRESHOLD + step.get("id", ""))
    if threshold and step.get("when"):
        try:
            float(threshold)
        except ValueError:
            errors[THRESHOLD + step["id"]] = "a threshold is a number, like 100 or 2.5"
            return
        step["when"] = _THRESHOLD.sub(lambda m: f"{m.group(1)} {threshold}", step["when"], count=1)
