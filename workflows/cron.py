"""Standard crontab → APScheduler 3 `CronTrigger` (APScheduler counts Monday as 0)."""

from __future__ import annotations

import re
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger

_DOW_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_APS_DOW = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELD = re.compile(r"^[\d*/,\-a-z]+$")


@lru_cache(maxsize=1024)  # a pure check; drafting validates the same few crons over and over
def validate_crontab(expr: str) -> str:
    """Return the normalised 5-field expression, or raise ValueError naming the problem."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron {expr!r} must have 5 fields (minute hour day month weekday)")
    for field in fields:
        if not _FIELD.match(field.lower()):
            raise ValueError(f"cron field {field!r} has characters cron does not allow")
    if fields[2] != "*" and fields[4] != "*":
        # Standard cron fires when EITHER the day of month OR the weekday matches; APScheduler
        # requires both. Rather than run on different days than the user expects, refuse it.
        raise ValueError(
            f"cron {expr!r} sets both day of month and weekday; use one of them (or two workflows)"
        )
    normalised = " ".join(fields)
    cron_trigger(normalised, "UTC")
    return normalised


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """Build a CronTrigger that fires on the days standard crontab means (0 or 7 = Sunday)."""
    minute, hour, day, month, dow = expr.split()
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_field(dow),
            timezone=timezone,
        )
    except ValueError as exc:
        raise ValueError(f"cron {expr!r}: {exc}") from exc


def _weekday_field(field: str) -> str:
    """Translate crontab weekdays (0-7, Sunday = 0 and 7) into APScheduler's named days."""
    if field == "*":
        return "*"
    parts: list[str] = []
    for part in field.lower().split(","):
        base, _, step = part.partition("/")
        if base == "*":
            days = list(range(7))
        elif "-" in base:
            start, end = (_day_number(x) for x in base.split("-", 1))
            if end == 0 and start > 0:
                end = 7
            if start > end:
                raise ValueError(f"weekday range {base!r} runs backwards")
            days = list(range(start, end + 1))
        else:
            days = [_day_number(base)]
        if step:
            if not step.isdigit() or int(step) < 1:
                raise ValueError(f"weekday step {step!r} must be a whole number of at least 1")
            days = days[:: int(step)]
        parts.extend(_APS_DOW[d % 7] for d in days)
    return ",".join(dict.fromkeys(parts))


def _day_number(token: str) -> int:
    if token in _DOW_NAMES:
        return _DOW_NAMES[token]
    if not token.isdigit() or not 0 <= int(token) <= 7:
        raise ValueError(f"weekday {token!r} must be 0-7 or a day name")
    return int(token)


def field_values(field: str, low: int, high: int) -> set[int]:
    """The numbers a numeric cron field ("*", "1-3", "*/2", "1,15", "28-31") selects."""
    values: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(base)
            end = high if step else start
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12))


def same_schedule(first: str | None, second: str | None) -> bool:
    """Whether two crontabs fire at the same times ("0 9 1 */3 *" is "0 9 1 1,4,7,10 *")."""
    if first == second:
        return True
    if first is None or second is None:
        return False
    try:
        return _fire_sets(first) == _fire_sets(second)
    except ValueError:
        return False


def _fire_sets(expr: str) -> tuple[object, ...]:
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r} has {len(fields)} fields")
    sets = [
        frozenset(field_values(f, lo, hi)) for f, (lo, hi) in zip(fields, _BOUNDS, strict=False)
    ]
    weekdays: set[int] = set()
    for part in fields[4].lower().split(","):
        base, _, step = part.partition("/")
        if base == "*":
            days = range(0, 7)
        elif "-" in base:
            first, last = base.split("-", 1)
            days = range(_day_number(first), _day_number(last) + 1)
        else:
            days = range(_day_number(base), _day_number(base) + 1)
        weekdays.update(day % 7 for day in list(days)[:: int(step) if step else 1])
    # cron ORs a restricted day of month with a restricted weekday: "*" in one is "any day"
    dom_any, dow_any = fields[2] == "*", fields[4] == "*"
    return (*sets, frozenset(weekdays), dom_any, dow_any)
