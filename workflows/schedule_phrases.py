"""Pieces of schedules in words: times of day, weekday sets, days of the month, month sets."""

from __future__ import annotations

from workflows.cron import field_values

DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
COUNTS = {2: "twice", 3: "three times", 4: "four times"}
NTH = {
    "first_week": "first", "second_week": "second", "third_week": "third",
    "fourth_week": "fourth", "last_week": "last",
}  # fmt: skip
RULE_DAYS = {
    "first_business_day": "the first business day",
    "second_business_day": "the second business day",
    "third_business_day": "the third business day",
    "last_business_day": "the last business day",
    "last_day": "the last day",
}
_QUARTER_STARTS = {1, 4, 7, 10}
_QUARTER_ENDS = {3, 6, 9, 12}


def listed(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def clock(hour: int, minute: int) -> str:
    """ "09:00"."""
    return f"{hour:02d}:{minute:02d}"


def ordinal(n: int) -> str:
    """ "1st", "2nd", "3rd", "11th", "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def weekday_values(field: str) -> set[int] | None:
    """Crontab weekdays (Sunday = 0, 7 folded in) of a numeric field; None for names."""
    try:
        return {d % 7 for d in field_values(field, 0, 6)}
    except ValueError:
        return None


def weekdays_lead(days: set[int]) -> str:
    """ "every Monday", "every weekday (Monday to Friday)", "every Saturday and Sunday"."""
    if days == {1, 2, 3, 4, 5}:
        return "every weekday (Monday to Friday)"
    return "every " + listed([DAYS[d] for d in _week_order(days)])


def weekdays_tail(days: set[int]) -> str:
    """ "Monday to Friday", "on Saturdays and Sundays", "on Mondays"."""
    ordered = _week_order(days)
    if len(ordered) >= 3 and ordered[-1] - ordered[0] == len(ordered) - 1 and 0 not in days:
        return f"{DAYS[ordered[0]]} to {DAYS[ordered[-1]]}"
    return "on " + listed([DAYS[d] + "s" for d in ordered])


def _week_order(days: set[int]) -> list[int]:
    return sorted(days, key=lambda d: (d + 6) % 7)  # Monday first, Sunday last


def month_days(field: str) -> str | None:
    """ "the 1st", "the 1st and 15th", "days 1 to 7"; None for steps (said elsewhere)."""
    if "/" in field:
        return None
    values = sorted(field_values(field, 1, 31))
    if len(values) > 2 and values[-1] - values[0] == len(values) - 1:
        return f"every day from the {ordinal(values[0])} to the {ordinal(values[-1])}"
    return "the " + listed([ordinal(v) for v in values])


def month_set(field: str) -> str:
    """ "each month", "each quarter (January, April, July and October)", "January and July"."""
    if field == "*":
        return "each month"
    values = field_values(field, 1, 12)
    names = listed([MONTHS[m - 1] for m in sorted(values)])
    if values in (_QUARTER_STARTS, _QUARTER_ENDS):
        return f"each quarter ({names})"
    if field.startswith("*/"):
        return f"every {_every_nth(int(field[2:]))} month ({names})"
    return names


def _every_nth(n: int) -> str:
    return "other" if n == 2 else ordinal(n)


def every_nth(n: int, unit: str) -> str:
    """ "every other day", "every 3 days"."""
    return f"every other {unit}" if n == 2 else f"every {n} {unit}s"
