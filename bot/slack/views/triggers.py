"""Triggers in plain English: "every Monday at 09:00 (UTC)" rather than `0 9 * * 1`."""

from __future__ import annotations

from typing import Any

from workflows.schedule_words import describe_cron

__all__ = ["describe_cron", "describe_trigger"]


def describe_trigger(trigger: dict[str, Any]) -> str:
    """One sentence saying what starts the workflow."""
    kind = trigger.get("type")
    if kind == "schedule":
        return describe_cron(str(trigger.get("cron", "")), str(trigger.get("timezone", "UTC")))
    if kind == "interval":
        return "every " + _duration(int(trigger.get("seconds", 0)))
    if kind == "webhook":
        return "when a webhook call arrives"
    if kind == "email":
        where = f" at {trigger['address']}" if trigger.get("address") else ""
        subject = trigger.get("subject_contains")
        return f"when an email arrives{where}" + (
            f" with “{subject}” in the subject" if subject else ""
        )
    if kind == "slack":
        return "when " + _slack_trigger(trigger)
    if kind == "stripe":
        return "on Stripe events: " + ", ".join(trigger.get("events", []))
    if kind == "poll":
        every = _duration(int(trigger.get("interval_seconds", 900)))
        return f"when new items appear in {trigger.get('url')} (checked every {every})"
    return "only when someone runs it"


def _slack_trigger(trigger: dict[str, Any]) -> str:
    what = f"the {trigger['command']} command is used" if trigger.get("command") else "a message"
    if trigger.get("keyword"):
        what += f" mentioning “{trigger['keyword']}”"
    return what + (f" in {trigger['channel']}" if trigger.get("channel") else " arrives")


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return "second" if seconds == 1 else f"{seconds} seconds"
