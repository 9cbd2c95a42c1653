"""Waits that end at a time the run's data names, not after a fixed length.

An appointment reminder waits until "24 hours before {{ trigger.start_time }}": the booking
arrives days ahead, and the message must leave a set time before the appointment itself. A
step's `wait` is either a duration ("2 days") or one of:

- `until {{ expr }}` — until the date-time the expression gives;
- `<duration> before {{ expr }}` — that long before it ("24 hours before {{ trigger.start_time }}").

The expression is rendered with the run's data when the wait starts; a time already past ends
the wait at once (a booking made an hour before the appointment gets its reminder straight away).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from integrations.durations import parse_duration

_TIMED = re.compile(
    r"^\s*(?:until\s+|(?P<lead>[^{}]+?)\s+before\s+)(?P<at>\{\{[^{}]+\}\})\s*$", re.IGNORECASE
)


class WaitTimeError(ValueError):
    """The data did not give a date-time to wait for; the message says so in words."""


@dataclass(frozen=True)
class TimedWait:
    """A wait that ends `lead_seconds` before the date-time `at` renders to."""

    at: str
    lead: str | None
    lead_seconds: float


def timed_wait(wait: str) -> TimedWait | None:
    """The timed reading of a step's `wait`, or None when it is a plain duration.

    Raises ValueError for a lead that is not a duration ("soon before {{ … }}").
    """
    match = _TIMED.match(wait)
    if match is None:
        return None
    lead = match.group("lead")
    seconds = parse_duration(lead) if lead else 0.0
    return TimedWait(match.group("at"), lead.strip() if lead else None, seconds)


def check_wait(wait: str) -> None:
    """ValueError when `wait` is neither a duration nor a timed wait with a valid template."""
    from workflows.expressions import check_template

    timed = timed_wait(wait)
    if timed is None:
        parse_duration(wait)
        return
    check_template(timed.at)


def due_at(wait: str, started: datetime, context: dict[str, Any]) -> datetime:
    """When a wait that started at `started` ends, with the run's data in `context`."""
    timed = timed_wait(wait)
    if timed is None:
        return started + timedelta(seconds=parse_duration(wait))
    from workflows.expressions import ExpressionError, render_value

    try:
        value = render_value(timed.at, context)
    except ExpressionError as exc:
        raise WaitTimeError(f"could not read the time to wait for: {exc}") from None
    moment = as_datetime(value)
    field = timed.at.strip("{} ")
    if moment is None and value in (None, "", "None"):
        raise WaitTimeError(f"there is no time to wait for: {field} is missing from the data")
    if moment is None:
        raise WaitTimeError(
            f"the time to wait for ({field}) is {str(value)[:60]!r}, which is not a date and time"
        )
    return moment - timedelta(seconds=timed.lead_seconds)


def as_datetime(value: Any) -> datetime | None:
    """An aware date-time from an ISO string, a date, epoch seconds or a datetime; else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        moment = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
