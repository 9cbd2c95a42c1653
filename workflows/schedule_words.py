"""A schedule trigger in plain words, and its next run times (one place for web, Slack and chat)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.cron import cron_trigger

_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def describe_schedule(trigger: Mapping[str, Any]) -> str:
    """When a schedule trigger fires, in words ("every Monday at 09:00 (Europe/London)")."""
    return describe_cron(str(trigger.get("cron", "")), str(trigger.get("timezone", "UTC")))


def next_runs(
    trigger: Mapping[str, Any], count: int = 3, now: datetime | None = None
) -> list[datetime]:
    """The next `count` fire times of a schedule trigger, in the trigger's own timezone."""
    zone = ZoneInfo(str(trigger.get("timezone", "UTC")))
    cron = cron_trigger(str(trigger["cron"]), str(zone))
    previous: datetime | None = None
    current = (now or datetime.now(UTC)).astimezone(zone)
    runs: list[datetime] = []
    while len(runs) < count:
        fire = cron.get_next_fire_time(previous, current)
        if fire is None:
            break
        runs.append(fire)
        previous, current = fire, fire
    return runs


def describe_cron(expr: str, timezone: str = "UTC") -> str:
    """A standard 5-field crontab in words; unusual ones fall back to showing the expression."""
    fields = expr.split()
    if len(fields) != 5:
        return f"on the schedule `{expr}` ({timezone})"
    minute, hour, day, month, weekday = fields
    if minute.isdigit() and hour.isdigit():
        when = f"at {int(hour):02d}:{int(minute):02d}"
    elif minute.isdigit() and hour == "*":
        return (
            f"every hour at minute {int(minute)} ({timezone})"
            if _every_day(fields)
            else _raw(expr, timezone)
        )
    elif minute.startswith("*/") and hour == "*" and _every_day(fields):
        return f"every {minute[2:]} minutes"
    elif minute == "*" and hour == "*" and _every_day(fields):
        return "every minute"
    else:
        return _raw(expr, timezone)
    days = _days(day, month, weekday)
    if days is None:
        return _raw(expr, timezone)
    return f"{days} {when} ({timezone})"


def _every_day(fields: list[str]) -> bool:
    return fields[2:] == ["*", "*", "*"]


def _raw(expr: str, timezone: str) -> str:
    return f"on the schedule `{expr}` ({timezone})"


def _days(day: str, month: str, weekday: str) -> str | None:
    if month != "*" and not (month.isdigit() and 1 <= int(month) <= 12):
        return None
    in_month = f" of {_MONTHS[int(month) - 1]}" if month != "*" else ""
    if day == "*" and weekday == "*":
        return "every day" + (f" in {_MONTHS[int(month) - 1]}" if in_month else "")
    if weekday == "*" and day.isdigit():
        return f"on day {int(day)} of every month" if not in_month else f"on {day}{in_month}"
    if day == "*" and month == "*":
        names = _weekdays(weekday)
        return None if names is None else f"every {names}"
    return None


def _weekdays(field: str) -> str | None:
    if field in ("1-5", "mon-fri"):
        return "weekday (Monday to Friday)"
    if field in ("0,6", "6,0", "sat,sun", "6-7"):
        return "Saturday and Sunday"
    names: list[str] = []
    for part in field.split(","):
        if not part.isdigit() or int(part) > 7:
            return None
        names.append(_DAYS[int(part) % 7])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
