"""Reminders before a booked time: "email them 24 hours and again 2 hours before the appointment".

The booking (Calendly, a form, the shop's calendar) is the event that starts the workflow; each
reminder waits until its lead time before the appointment's start (`wait: "24 hours before
{{ trigger.start_time }}"`, see workflows/timed_waits.py), then sends the messages asked for.
A booking made closer to the appointment than a lead gets that reminder at once.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from agents.planner.intents import (
    BOOKED,
    LEAD,
    PREVIOUS_DAY,
    STARTS,
    TriggerReading,
)
from agents.planner.slots import Slots
from agents.planner.text import has

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_SENDS = ("email.send", "slack.post_message", "http.request")


def appointment_reminders(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Put a timed wait before each reminder the request asks for; True when it did."""
    if trigger.rule != "booking":
        return False
    leads = lead_times(slots.text)
    sends = [s for s in raw.get("steps", []) if s.get("action") in _SENDS and not s.get("when")]
    if not leads or not sends:
        return False
    others = [s for s in raw["steps"] if s not in sends]
    steps: list[dict[str, Any]] = list(others)
    thing = booked_thing(slots.text)
    raw["name"] = f"{thing.capitalize()} reminders"
    for index, lead in enumerate(leads):
        suffix = "" if index == 0 else f"_{index + 1}"
        slug = re.sub(r"\W+", "_", lead or "start").strip("_")
        at = "{{ trigger.start_time }}"
        wait = f"{lead} before {at}" if lead else f"until {at}"
        steps.append({"id": f"wait_{slug}", "wait": wait})
        for send in sends:
            step = copy.deepcopy(send)
            step["id"] = f"{send['id']}{suffix}"
            _remind(step, thing, lead)
            steps.append(step)
    raw["steps"] = steps
    return True


def booked_thing(text: str) -> str:
    """What is booked, in the singular ("appointment", "call", "booking")."""
    found = re.search(BOOKED, text)
    word = found.group(0).split()[-1] if found else "appointment"
    return {"classes": "class", "check-ins": "check-in", "checkins": "checkin"}.get(
        word, word[:-1] if word.endswith("s") and not word.endswith("ss") else word
    )


def _remind(step: dict[str, Any], thing: str, lead: str) -> None:
    """The reminder's own words: what, when, with the booking's time."""
    when = "starts now" if not lead else f"is in {lead}"
    text = f"Hi {{{{ trigger.name | default('there') }}}}, a reminder that your {thing} {when}."
    inputs = step.setdefault("inputs", {})
    if step.get("action") == "email.send":
        inputs["subject"] = f"Reminder: your {thing} {when}"
        inputs["text"] = text
    elif step.get("action") == "slack.post_message":
        inputs["text"] = text
    elif isinstance(inputs.get("json"), dict):
        inputs["json"] = {**inputs["json"], "text": text}


def lead_times(text: str) -> list[str]:
    """The lead times asked for, longest first ("24 hours", "2 hours"); "" means at the start."""
    seconds: dict[str, int] = {}
    for match in re.finditer(LEAD, text):
        words = match.group(0).split()
        amount = words[0] if words[0] != "half" else "half"
        unit = words[-1]
        if amount == "half":
            value, unit_name = 30, "minutes"
        else:
            value = int(amount) if amount.isdigit() else _WORDS.get(amount, 1)
            unit_name = "hours" if unit.startswith("h") else "minutes"
        lead = f"{value} {unit_name.rstrip('s') if value == 1 else unit_name}"
        seconds[lead] = value * (3600 if unit_name == "hours" else 60)
    if has(text, PREVIOUS_DAY):
        seconds["1 day"] = 86400
    ordered = sorted(seconds, key=lambda lead: -seconds[lead])
    if has(text, STARTS):
        ordered.append("")
    return ordered
