"""Recurring time phrases ("weekdays at 7", "1st and 15th at 8am") → a 5-field crontab."""

from __future__ import annotations

import re

from agents.planner.text import strip_quoted

_DAYS = {
    "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2,
    "wednesday": 3, "wed": 3, "thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
    "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
}  # fmt: skip
_DAY_NAME = r"(sunday|monday|tuesday|wednesday|thursday|friday|saturday)"
_DAY_ABBR = r"(sun|mon|tues?|wed|thu(?:rs?)?|fri|sat)"
_ANY_DAY = (
    r"(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues?|wed|thu(?:rs?)?|"
    r"fri|sat)"
)
_ORD = r"(\d{1,2})(?:st|nd|rd|th)"
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b")
_AT_BARE = re.compile(r"\b(?:at|@)\s*(\d{1,2})\b(?!\s*(?:min|hour|day|week|%|\$|st|nd|rd|th))")
_MORNING_AT = re.compile(
    r"\b(?:morning|night|evening|afternoon)s?\s+at\s+(\d{1,2})\b|\b(\d{1,2})\s*o'?\s*clock\b"
)
_EVERY_MIN = re.compile(r"\bevery\s+(\d{1,2})\s*(?:minutes?|m)\b")
_EVERY_HOURS = re.compile(r"\bevery\s+(\d{1,2})\s*hours?\b")
_HOURLY = re.compile(r"\b(?:every\s+hour|hourly|each\s+hour|on\s+the\s+hour)\b")
_HALF_HOUR = re.compile(r"\bevery\s+(?:half\s+(?:an\s+)?hour|30\s*minutes?)\b")
_RANGE = re.compile(
    r"\b(?:between|from)?\s*(\d{1,2})(?::\d{2})?\s*(am|pm)?\s*(?:and|to|-|until|till)\s*"
    r"(\d{1,2})(?::\d{2})?\s*(am|pm)\b"
)
_WEEKDAYS = re.compile(
    r"\b(?:weekdays?|work\s*days?|business\s+days?|mon(?:day)?\s*(?:-|to|through|thru)\s*fri(?:day)?)\b"
)
_WEEKENDS = re.compile(r"\b(?:weekends?|saturdays?\s+and\s+sundays?)\b")
_PLURAL_DAY = re.compile(_DAY_NAME + r"s\b")
_EVERY_DAY_NAME = re.compile(r"\b(?:every|each|on)\s+(?:other\s+|second\s+)?" + _DAY_NAME + r"\b")
_DAY_LIST = re.compile(r"\b" + _ANY_DAY + r"s?(?:\s*(?:,|/|and|&|or|\+)\s*" + _ANY_DAY + r"s?)+\b")
_SLASHED_DAYS = re.compile(r"\b" + _ANY_DAY + r"(?:\s*/\s*" + _ANY_DAY + r")+\b")
_WEEKLY = re.compile(r"\b(?:weekly|every\s+week|each\s+week|once\s+a\s+week)\b")
# "last weekday of each quarter", "end of the month": cron cannot say "last", so these run on
# the 28th (the last day every month has) of the month, or of each quarter's last month.
_PERIOD_END = re.compile(
    r"\b(?:(?:the\s+)?last\s+(?:\w+\s+)?\w*day|(?:the\s+)?end)\s+of\s+(?:each|every|a|the)\s+"
    r"(month|quarter)\b|\b(month|quarter)[- ]end\b"
)
# "the first working day of each month": cron cannot pick a weekday within a date range, so these
# run on the 1st (of the month, or of each quarter's first month).
_PERIOD_START = re.compile(
    r"\b(?:the\s+)?(?:first|1st)\s+(?:working\s+|business\s+|week)day\s+of\s+(?:each|every|a|the)\s+"
    r"(month|quarter)\b"
)
_TWO_CLOCKS = re.compile(
    r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:and|&|\+|,)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b"
)
_MONTH_FIRST = re.compile(
    r"\b(?:first|1st)\s+(?:day\s+)?of\s+(?:the|each|every)\s+month\b|\bmonthly\b|"
    r"\bstart of (?:the|each|every) month\b"
)
_ORD_DAYS = re.compile(
    r"\bthe\s+" + _ORD + r"(?:\s*(?:,|and|&)\s*(?:the\s+)?" + _ORD + r")*"
    r"|\b" + _ORD + r"(?:\s*(?:,|and|&)\s*(?:the\s+)?" + _ORD + r")+"
    r"|\b" + _ORD + r"\s+of\s+(?:the|each|every)\s+month"
)
_RECURRING = re.compile(
    r"\b(?:every|each)\s+(?:\d+\s+|other\s+|single\s+)?(?:min\w*|hours?|days?|weeks?|months?|"
    r"mornings?|nights?|evenings?|afternoons?|weekdays?|weekends?|workdays?|business\s+days?|"
    r"quarters?|years?|sunday|monday|tuesday|wednesday|thursday|friday|saturday|half)\b|"
    r"\b(?:daily|nightly|weekly|monthly|quarterly|hourly|weekdays|weekends|mornings|"
    r"nights|evenings|workdays|business\s+days|on the hour)\b|"
    r"\b(?:twice|three\s+times)\s+(?:a|per|each)\s+day\b|"
    + r"\b"
    + _DAY_NAME
    + r"s\b|\b(?:first|1st)\s+of\s+the\s+month\b|"
    + _ORD
    + r"\s*(?:,|and|&)\s*(?:the\s+)?"
    + _ORD
    + r"|"
    + _SLASHED_DAYS.pattern
)
_ONE_OFF_DAY = re.compile(r"\b(?:on\s+)?day\s+\d")


def find_cron(text: str) -> str | None:
    """A crontab for the recurring time a normalised request names, or None if there is none."""
    scan = strip_quoted(_ONE_OFF_DAY.sub(" ", text))
    start = _PERIOD_START.search(scan)
    if start:
        rest = scan[: start.start()] + " " + scan[start.end() :]
        minute, hour = _frequency(rest)
        minute, hour = (minute, hour) if minute is not None else ("0", "9")
        return f"{minute} {hour} 1 {'1,4,7,10' if start.group(1) == 'quarter' else '*'} *"
    end = _PERIOD_END.search(scan)
    # "at the end of the month" alone is one date; "the last day of the month" or "each" recurs.
    if end and has_recurring_end(scan, end.group(0)):
        rest = scan[: end.start()] + " " + scan[end.end() :]
        minute, hour = _frequency(rest)
        minute, hour = (minute, hour) if minute is not None else ("0", "9")
        months = "3,6,9,12" if "quarter" in (end.group(1) or end.group(2)) else "*"
        return f"{minute} {hour} 28 {months} *"
    if not _RECURRING.search(scan):
        return None
    minute, hour = _frequency(scan)
    if minute is None:
        return None
    if has_quarter(scan):
        day = _day_of_month(scan)
        return f"{minute} {hour} {day if day.isdigit() else 1} 1,4,7,10 *"
    return f"{minute} {hour} {_day_of_month(scan)} * {_day_of_week(scan)}"


def approximation(text: str) -> str | None:
    """A note when the schedule named cannot be said exactly in cron, or None."""
    scan = strip_quoted(text)
    start, end = _PERIOD_START.search(scan), _PERIOD_END.search(scan)
    if start:
        return f"runs on the 1st: cron cannot say '{start.group(0)}'"
    if end and has_recurring_end(scan, end.group(0)):
        months = " of March, June, September and December" if "quarter" in end.group(0) else ""
        return f"runs on the 28th{months}: cron cannot say '{end.group(0)}'"
    return None


def has_recurring_end(text: str, phrase: str) -> bool:
    """Whether a month/quarter-end phrase recurs (not "downgrade them at the end of the month")."""
    if re.search(r"\b(?:each|every|a)\s+(?:month|quarter)\b|\blast\s+\w*day\b|-end\b", phrase):
        return True
    return re.search(r"\b(?:monthly|quarterly|every\s+month|each\s+month)\b", text) is not None


def has_quarter(text: str) -> bool:
    """Whether the request recurs once a quarter."""
    return re.search(r"\b(?:every|each)\s+quarter\b|\bquarterly\b", text) is not None


def _frequency(text: str) -> tuple[str | None, str]:
    hours = _hour_window(text)
    match = _EVERY_MIN.search(text)
    if match or _HALF_HOUR.search(text):
        step = int(match.group(1)) if match else 30
        every = "*" if step == 1 else f"*/{step}"
        if hours:
            return every, f"{hours[0]}-{hours[1] - 1}"
        return every, "*"
    match = _EVERY_HOURS.search(text)
    if match:
        start = f"{hours[0]}-{hours[1]}" if hours else "*"
        return "0", f"{start}/{int(match.group(1))}" if hours else f"*/{int(match.group(1))}"
    if _HOURLY.search(text):
        return "0", f"{hours[0]}-{hours[1]}" if hours else "*"
    both = _TWO_CLOCKS.search(text)
    window = both and re.search(r"\b(?:between|from)\s*$", text[: both.start()])
    if both and not window and (both.group(2) or "0") == (both.group(5) or "0"):
        second = _to24(int(both.group(4)), both.group(6))
        first = _to24(int(both.group(1)), both.group(3) or both.group(6))
        first = int(both.group(1)) if both.group(3) is None and first >= second else first
        if first < second < 24:
            return str(int(both.group(2) or 0)), f"{first},{second}"
    clock = _clock(text)
    if clock is None:
        if re.search(
            r"\b(?:daily|every\s*day|each\s+day|weekly|monthly|quarterly|quarter|weekdays?|mornings?)\b",
            text,
        ):
            return "0", "9"
        if re.search(r"\b(?:every|each|on)\s+" + _DAY_NAME + r"|" + _DAY_NAME + r"s\b", text):
            return "0", "9"
        if re.search(r"\bnights?\b|\bnightly\b", text):
            return "0", "2"
        if re.search(r"\bevenings?\b", text):
            return "0", "18"
        if _MONTH_FIRST.search(text) or _ORD_DAYS.search(text):
            return "0", "9"
        return None, "*"
    return str(clock[1]), str(clock[0])


def _to24(hour: int, suffix: str | None) -> int:
    suffix = (suffix or "").replace(".", "")
    if suffix == "pm" and hour < 12:
        return hour + 12
    if suffix == "am" and hour == 12:
        return 0
    return hour


def _clock(text: str) -> tuple[int, int] | None:
    """(hour, minute) of the first clock time, skipping time windows like "9am to 6pm"."""
    windows = [m.span() for m in _RANGE.finditer(text)]
    for match in _CLOCK.finditer(text):
        if any(s <= match.start() < e for s, e in windows):
            continue
        if match.group(1):
            hour, minute = _to24(int(match.group(1)), match.group(3)), int(match.group(2) or 0)
        else:
            hour, minute = int(match.group(4)), int(match.group(5))
            hour = _bare_hour(text, match.start(), hour)
        if 0 <= hour < 24 and 0 <= minute < 60:
            return hour, minute
    if re.search(r"\bnoon\b|\bmidday\b", text):
        return 12, 0
    if re.search(r"\bmidnight\b", text):
        return 0, 0
    for pattern in (_MORNING_AT, _AT_BARE):
        for match in pattern.finditer(text):
            if any(s <= match.start() < e for s, e in windows):
                continue
            hour = _bare_hour(text, match.start(), int(match.group(1) or match.group(2)))
            if 0 <= hour < 24:
                return hour, 0
    return None


def _bare_hour(text: str, at: int, hour: int) -> int:
    """An hour written without am/pm: afternoon/evening/night context makes it pm."""
    context = text[max(0, at - 24) : at + 24]
    if hour < 12 and re.search(r"\b(?:evenings?|afternoons?|tonight)\b", context):
        return hour + 12
    if 6 <= hour < 12 and re.search(r"\bnights?\b", context):
        return hour + 12
    # Nobody schedules office work at 1-5 in the morning without saying so: "at 4" is 4pm.
    if 1 <= hour <= 5 and not re.search(
        r"\b(?:nights?|nightly|overnight|early|mornings?)\b", context
    ):
        return hour + 12
    return hour


def _hour_window(text: str) -> tuple[int, int] | None:
    match = _RANGE.search(text)
    if not match:
        return None
    end_suffix = match.group(4)
    start_suffix = match.group(2) or ("am" if end_suffix == "pm" else end_suffix)
    start = _to24(int(match.group(1)), start_suffix)
    end = _to24(int(match.group(3)), end_suffix)
    if start > end and match.group(2) is None:
        start = _to24(int(match.group(1)), end_suffix)
    return (start, end) if start < end else None


def _day_of_week(text: str) -> str:
    if _WEEKDAYS.search(text):
        return "1-5"
    if _WEEKENDS.search(text):
        return "0,6"
    days: list[int] = []
    for match in _DAY_LIST.finditer(text):
        days.extend(_DAYS[d] for d in re.findall(r"\b" + _ANY_DAY + r"s?\b", match.group(0)))
    for pattern in (_PLURAL_DAY, _EVERY_DAY_NAME):
        days.extend(_DAYS[m.group(1)] for m in pattern.finditer(text))
    if not days:
        for match in re.finditer(r"\b(?:every|each|on)\s+" + _DAY_ABBR + r"\b", text):
            days.append(_DAYS[match.group(1)])
    if not days and _WEEKLY.search(text):
        days.extend(_DAYS[m.group(1)] for m in re.finditer(r"\b" + _DAY_ABBR + r"\b", text))
    unique = sorted(set(days))
    return ",".join(map(str, unique)) if unique else "*"


def _day_of_month(text: str) -> str:
    if _MONTH_FIRST.search(text):
        return "1"
    match = re.search(r"\b(?:last\s+day\s+of\s+(?:the|each|every)\s+month)\b", text)
    if match:
        return "28"
    for match in _ORD_DAYS.finditer(text):
        numbers = [int(n) for n in re.findall(r"(\d{1,2})(?:st|nd|rd|th)", match.group(0))]
        if numbers and all(1 <= n <= 31 for n in numbers):
            return ",".join(map(str, sorted(set(numbers))))
    return "*"
