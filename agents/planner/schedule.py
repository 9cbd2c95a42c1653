"""Recurring time phrases → a schedule trigger (the grammar lives in `agents.planner.when`)."""

from __future__ import annotations

from typing import Any

from agents.planner.when import Schedule, read_schedule
from workflows.schedule_words import describe_schedule

__all__ = ["Schedule", "find_cron", "find_schedule", "schedule_note"]


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
