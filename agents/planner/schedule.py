"""Recurring time phrases → a schedule trigger (the grammar lives in `agents.planner.when`)."""

from __future__ import annotations

import re
from typing import Any

from agents.planner.when import Schedule, read_schedule
from workflows.schedule_words import describe_schedule

__all__ = ["Schedule", "find_cron", "find_schedule", "minutes_note", "once_note", "schedule_note"]


def find_schedule(text: str, *, loose: bool = False) -> Schedule | None:
    """The recurring schedule a normalised request names, or None if there is none."""
    return read_schedule(text, loose=loose)


def find_cron(text: str) -> str | None:
    """A crontab for the recurring time a normalised request names, or None if there is none."""
    schedule = read_schedule(text)
    return schedule.cron if schedule else None


def schedule_note(trigger: dict[str, Any]) -> str | None:
    """The schedule in words when its cron alone would mislead ("every other Monday"), or None."""
    cron = str(trigger.get("cron", ""))
    fields = cron.split()
    tricky = len(fields) == 5 and "/" in fields[2]
    if not (tricky or int(trigger.get("week_interval") or 1) > 1 or trigger.get("only_on")):
        return None
    return "runs " + describe_schedule(trigger)


_COMING_DAY = re.compile(
    r"\b(?:this|next|coming)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)


def once_note(text: str) -> str | None:
    """What a one-off on a coming day ("next tuesday 9am") runs as: every such day until it is
    paused, said so the owner pauses it after the first run."""
    found = _COMING_DAY.search(text)
    if found is None:
        return None
    day = found.group(1).capitalize()
    return f"it runs every {day}: pause it after the first run if it is needed only once"


def minutes_note(text: str) -> str | None:
    """What cron cannot do, said plainly ("every 90 minutes" runs every 2 hours), or None."""
    schedule = read_schedule(text)
    if schedule is None or not schedule.asked_minutes:
        return None
    hours = schedule.hour.removeprefix("*/") if schedule.hour.startswith("*/") else "1"
    every = "every hour" if hours == "1" else f"every {hours} hours"
    return (
        f"a schedule cannot repeat every {schedule.asked_minutes} minutes, so this runs {every}, "
        "the nearest it can"
    )
