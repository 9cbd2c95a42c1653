"""A schedule trigger in plain words, and its next run times (one place for web, Slack and chat).

`describe_schedule` says every shape the planner drafts in words an owner reads ("every other
Monday at 09:00", "every 15 minutes from 09:00 to 17:45, Monday to Friday"); anything else falls
back to cron-descriptor's words, never to the cron string itself. `next_runs` honours
`week_interval` and `only_on` exactly as the scheduler does (the same trigger object).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cron_descriptor import ExpressionDescriptor, Options

from workflows.cron import field_values, validate_crontab
from workflows.schedule_phrases import (
    COUNTS,
    NTH,
    RULE_DAYS,
    clock,
    every_nth,
    listed,
    month_days,
    month_set,
    ordinal,
    weekday_values,
    weekdays_lead,
    weekdays_tail,
)
from workflows.schedule_rules import named_days, schedule_fires

__all__ = ["describe_cron", "describe_schedule", "next_runs"]


def describe_schedule(trigger: Mapping[str, Any]) -> str:
    """When a schedule trigger fires, in words ("every Monday at 09:00 (Europe/London)")."""
    return describe_cron(
        str(trigger.get("cron", "")),
        str(trigger.get("timezone", "UTC")),
        week_interval=int(trigger.get("week_interval") or 1),
        only_on=trigger.get("only_on"),
    )


def next_runs(
    trigger: Mapping[str, Any],
    count: int = 3,
    now: datetime | None = None,
    *,
    zone: str | None = None,
) -> list[datetime]:
    """The next `count` fire times of a schedule trigger (rules included), in the trigger's own
    timezone, or in `zone` (the workspace's) when given."""
    timezone = str(trigger.get("timezone", "UTC"))
    current = (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone))
    starts_on = trigger.get("starts_on") or current.date()
    fires = schedule_fires(
        str(trigger["cron"]),
        timezone,
        int(trigger.get("week_interval") or 1),
        date.fromisoformat(starts_on) if isinstance(starts_on, str) else starts_on,
        trigger.get("only_on"),
    )
    shown = ZoneInfo(zone or timezone)
    previous: datetime | None = None
    runs: list[datetime] = []
    while len(runs) < count:
        fire = fires.get_next_fire_time(previous, current)
        if fire is None:
            break
        runs.append(fire.astimezone(shown))
        previous, current = fire, fire
    return runs


def describe_cron(
    expr: str, timezone: str = "UTC", *, week_interval: int = 1, only_on: str | None = None
) -> str:
    """A 5-field crontab (with the trigger's rules) in words, with its zone when it matters."""
    try:
        minute, hour, day, month, weekday = validate_crontab(expr).split()
    except ValueError:
        return "on a schedule that is not valid (open Advanced to fix it)"
    words = _words(minute, hour, day, month, weekday, week_interval, only_on)
    if words is None:
        words = _fallback(expr)
    if hour == "*" and (day, month, weekday) == ("*", "*", "*"):
        return words
    return f"{words} ({zone_words(timezone)})" + _day_step_note(day)


def zone_words(timezone: str) -> str:
    """A zone as people write it: the fixed-offset zones, whose IANA sign is inverted
    ("Etc/GMT+5" is five hours behind), as "UTC-5"; any other zone by its name."""
    found = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", timezone)
    if found is None:
        return timezone
    return f"UTC{'-' if found.group(1) == '+' else '+'}{found.group(2)}"


def _words(
    minute: str, hour: str, day: str, month: str, weekday: str, weeks: int, only_on: str | None
) -> str | None:
    within = _within_day(minute, hour)
    days = _days(day, month, weekday, weeks, only_on)
    if within is None or days is None:
        return None
    lead, tail = days
    kind, text = within
    if kind == "at":
        return f"{lead} {text}" if lead else text
    if not tail:
        return text
    return f"{text}, {tail}"


def _within_day(minute: str, hour: str) -> tuple[str, str] | None:
    """("at", "at 09:00") for clock times; ("every", "every 15 minutes from …") otherwise."""
    if not minute.replace(",", "").isdigit() and not minute.startswith(("*", "0/")):
        return None
    hours = sorted(field_values(hour, 0, 23))
    if minute.isdigit():
        m = int(minute)
        if hour == "*":
            return "every", "every hour, on the hour" if m == 0 else f"every hour at {m} past"
        if hour.isdigit():
            return "at", f"at {clock(int(hour), m)}"
        if "-" not in hour and "/" not in hour and len(hours) <= 6:
            times = listed([clock(h, m) for h in hours])
            return "every", f"{COUNTS.get(len(hours), f'{len(hours)} times')} a day at {times}"
        step = int(hour.split("/")[1]) if "/" in hour else 1
        every = "every hour" if step == 1 else f"every {step} hours"
        if step == 1 and len(stretches := _stretches(hours)) > 1:  # "0-8,17-23"
            spans = " and ".join(f"from {clock(a, m)} to {clock(b, m)}" for a, b in stretches)
            return "every", f"{every} {spans}"
        if hour.startswith("*"):
            return "every", f"{every} ({clock(hours[0], m)}, {clock(hours[1], m)}, …)"
        return "every", f"{every} from {clock(hours[0], m)} to {clock(hours[-1], m)}"
    if minute in ("*", "*/1"):
        every = "every minute"
        step = 1
    elif minute.startswith("*/") and 60 % int(minute[2:]) == 0:
        step = int(minute[2:])
        every = f"every {step} minutes"
    else:
        return None
    if hour == "*":
        return "every", every
    if "/" not in hour and len(stretches := _stretches(hours)) > 1:  # "*/15 0-7,18-23"
        spans = " and ".join(f"from {clock(a, 0)} to {clock(b, 60 - step)}" for a, b in stretches)
        return "every", f"{every} {spans}"
    if "/" in hour or len(hours) != hours[-1] - hours[0] + 1:
        return None
    return "every", f"{every} from {clock(hours[0], 0)} to {clock(hours[-1], 60 - step)}"


def _stretches(hours: list[int]) -> list[tuple[int, int]]:
    """Sorted hours as runs of consecutive ones: [0..8, 17..23] → [(0, 8), (17, 23)]."""
    runs: list[tuple[int, int]] = []
    for h in hours:
        if runs and h == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], h)
        else:
            runs.append((h, h))
    return runs


def _days(
    day: str, month: str, weekday: str, weeks: int, only_on: str | None
) -> tuple[str, str] | None:
    """(lead, tail): "every Monday" before a time; "Monday to Friday" after a frequency."""
    if weekday != "*":
        values = weekday_values(weekday)
        if values is None or (month != "*" and only_on not in NTH):
            return None
        names = weekdays_lead(values)
        if only_on in NTH:
            nth = NTH[only_on]
            which = listed([n.removeprefix("every ") for n in [names]])
            text = f"on the {nth} {which.removeprefix('every ')} of {month_set(month)}"
            return text, text
        if weeks > 1:
            plain = names.removeprefix("every ")
            text = f"every other {plain}" if weeks == 2 else f"every {weeks} weeks on {plain}"
            return text, text
        return names, weekdays_tail(values)
    months = month_set(month)
    if only_on in RULE_DAYS:
        named = sorted(named_days(f"* * {day} * *", only_on))
        also = "the " + listed([ordinal(n) for n in named]) + " and " if named else ""
        text = f"on {also}{RULE_DAYS[only_on]} of {months}"
        return text, text
    if day == "*":
        text = "every day" if month == "*" else f"every day in {months}"
        return text, ("" if month == "*" else f"in {months}")
    if day.startswith("*/"):
        text = every_nth(int(day[2:]), "day") + ("" if month == "*" else f" in {months}")
        return text, text
    dates = month_days(day)
    if dates is None:
        return None
    if month != "*" and month.isdigit():
        text = f"every year on {dates} of {months}"
    else:
        text = f"on {dates} of {months}"
    return text, text


def _day_step_note(day: str) -> str:
    """What "every other day" means in a month: counted from the 1st, so months end unevenly."""
    if not day.startswith("*/"):
        return ""
    step = int(day[2:])
    if step == 2:
        return "; on odd-numbered days of the month, so after the 31st it runs again on the 1st"
    days = ", ".join(ordinal(d) for d in range(1, 32, step)[:3])
    return f"; counted from the 1st of each month ({days}, …), so it starts again on each 1st"


def _fallback(expr: str) -> str:
    options = Options()
    options.use_24hour_time_format = True
    options.day_of_week_start_index_zero = True
    options.verbose = False
    text = str(ExpressionDescriptor(expr, options).get_description())
    return text[:1].lower() + text[1:]
