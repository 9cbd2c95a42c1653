"""Time expressions in a request → a `Schedule` (tokenizer, phrase grammar, composer)."""

from __future__ import annotations

from agents.planner.text import strip_quoted
from agents.planner.when.compose import compose
from agents.planner.when.grammar import read
from agents.planner.when.schedule import Schedule
from agents.planner.when.tokens import tokenize
from workflows.cron import validate_crontab

__all__ = ["Schedule", "read_schedule"]


def read_schedule(text: str) -> Schedule | None:
    """The recurring schedule a normalised request names, or None when it names none."""
    schedule = compose(read(tokenize(strip_quoted(text))))
    if schedule is None:
        return None
    try:
        validate_crontab(schedule.cron)
    except ValueError:
        return None
    return schedule
