"""Triggers in plain English: "every Monday at 09:00 (UTC)" rather than `0 9 * * 1`."""

from __future__ import annotations

from typing import Any

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
