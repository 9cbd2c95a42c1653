"""A `Reading` → a `Schedule`: the five cron fields plus what cron cannot say."""

from __future__ import annotations

from agents.planner.when import lexicon as lx
from agents.planner.when.reading import Clock, Reading
from agents.planner.when.schedule import Schedule

_QUARTER_STARTS = {1, 4, 7, 10}
_QUARTER_ENDS = {3, 6, 9, 12}
_CANDIDATES = {
    "first_business_day": "1-3",
    "second_business_day": "2-4",
    "third_business_day": "3-5",
    "last_business_day": "26-31",
    "last_day": "28-31",
}
_PERIOD_ORDER = ("day", "week", "month", "quarter", "year")


def compose(r: Reading) -> Schedule | None:
    """The schedule the facts describe, or None when nothing in them recurs."""
    if not r.recurs():
        return None
    minute, hour = _clock_fields(r)
    if minute is None or hour is None:
        return None
    days = _weekdays(r)
    dom, months = _month_fields(r, bool(days))
    monthly = r.periods & {"month", "quarter", "year"} or r.every_n.get("month", 1) > 1
    only_on = r.only_on if (r.rule_strong or monthly) else None
    if only_on in _CANDIDATES:  # days named beside the rule run too: "the 15th and the last day"
        low, high = map(int, _CANDIDATES[only_on].split("-"))
        parts = [(d, str(d)) for d in r.dom if not low <= d <= high] + [(low, _CANDIDATES[only_on])]
        days, dom = set(), ",".join(text for _, text in sorted(parts))
    week_interval = r.every_n.get("week", 1)
    if week_interval > 1 and not days:
        days = {1}
    if days and dom != "*":
        dom = "*"  # cron cannot say both; the weekdays are the more specific
    dom = _lead(dom, r) if not days and not only_on else dom
    return Schedule(
        minute=minute,
        hour=hour,
        dom=dom,
        month=months,
        dow=weekday_field(days),
        week_interval=week_interval if week_interval <= 12 else 1,
        only_on=only_on,
        clocked=bool(r.phrases or r.windows or r.minute_step or r.hour_step or r.office_hours),
        asked_minutes=r.approximated,
    )


def _lead(dom: str, r: Reading) -> str:
    """The days of the month moved earlier by "N days before" ("due on the 5th, remind 3 days
    before" runs on the 2nd); a lead reaching into the month before is left as it was said."""
    if not r.days_before or not dom.replace(",", "").isdigit():
        return dom
    days = [int(d) for d in dom.split(",")]
    if any(d <= r.days_before for d in days):
        return dom
    return ",".join(str(d - r.days_before) for d in days)


def _outside_hours(r: Reading) -> str | None:
    """The hours left when a repeating time skips a window ("every hour except between 9am and
    5pm" runs 0-8 and 17-23; "except between 10pm and 6am" runs 6-21), or None."""
    if not r.outside or r.windows or r.office_hours:
        return None
    low, high = r.outside[0]
    start = hour24(low, r, pm_hint=False)
    end = hour24(high, r, pm_hint=True)
    if start == end:
        return None
    if start > end:  # the window wraps past midnight: what is left is one stretch
        return f"{end}-{start - 1}" if start - 1 > end else str(end)
    parts = ([f"0-{start - 1}"] if start > 1 else ["0"]) if start > 0 else []
    parts += ([f"{end}-23"] if end < 23 else ["23"]) if end <= 23 else []
    return ",".join(parts) or None


def _clock_fields(r: Reading) -> tuple[str | None, str | None]:
    window = _window(r)
    point = _point_times(r)
    skipped = _outside_hours(r) if r.minute_step or r.hour_step == 1 else None
    if skipped is not None:
        return ("*" if r.minute_step == 1 else f"*/{r.minute_step}") if r.minute_step else (
            "0"
        ), skipped
    if r.minute_step:
        step = "*" if r.minute_step == 1 else f"*/{r.minute_step}"
        if window is None and point:
            window = (point[0], (23, 59))
        if window is None:
            return step, "*"
        low, high = window
        last = high[0] if high[1] else high[0] - 1
        return step, f"{low[0]}-{last}" if last > low[0] else str(low[0])
    if r.hour_step:
        if window is None and point and r.hour_step > 1:
            window = (point[0], (23, 0))
        suffix = f"/{r.hour_step}" if r.hour_step > 1 else ""
        minute = str(point[0][1]) if point and window is None and r.hour_step == 1 else "0"
        if window is None:
            return minute, f"*{suffix}"
        low, high = window
        return "0", f"{low[0]}-{high[0]}{suffix}" if high[0] > low[0] else str(low[0])
    if not point:
        point = _default_times(r, window)
    first_minute = point[0][1]
    hours = sorted({h for h, m in point if m == first_minute})
    return str(first_minute), ",".join(map(str, hours))


def _window(r: Reading) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if r.windows:
        low, high = r.windows[0]
        start = hour24(low, r, pm_hint=False)
        end = hour24(high, r, pm_hint=True)
        if low.meridiem is None and not low.h24 and high.meridiem == "pm" and start + 12 < end:
            start += 12
        if end <= start and not high.meridiem and not high.h24 and end < 12:
            end += 12
        return ((start, low.minute), (end, high.minute)) if start < end else None
    if r.office_hours:
        return (9, 0), (17, 59)
    return None


def _point_times(r: Reading) -> list[tuple[int, int]]:
    """The times of the phrase nearest the recurrence words (the first one on a tie)."""
    if not r.phrases:
        return []
    anchors = r.anchors or [0]
    nearest = min(r.phrases, key=lambda p: min(abs(p[0].at - a) for a in anchors))
    phrases = [nearest]
    if r.per_day and len(nearest) < r.per_day:
        phrases += [p for p in r.phrases if p is not nearest][: r.per_day - 1]
    times = [(hour24(c, r), c.minute) for p in phrases for c in p]
    if r.minutes_before:  # "the standup is at 10 … 30 min before": 09:30
        shifted = [divmod(h * 60 + m - r.minutes_before, 60) for h, m in times]
        if all(h >= 0 for h, _ in shifted):  # a lead into the day before is left as said
            return [(h, m) for h, m in shifted]
    return times


def _default_times(
    r: Reading, window: tuple[tuple[int, int], tuple[int, int]] | None
) -> list[tuple[int, int]]:
    """No clock time: the window's start, twice a day at 9 and 5, a part of day, or 09:00."""
    if window is not None:
        return [window[0]]
    if r.per_day:
        spread = {2: [9, 17], 3: [9, 13, 17], 4: [9, 12, 15, 18]}.get(r.per_day, [9, 17])
        return [(h, 0) for h in spread]
    if r.end_of_week:
        return [(17, 0)]
    if r.dayparts:
        return [(lx.DAYPART_HOURS[r.dayparts[0][1]], 0)]
    return [(9, 0)]


def hour24(clock: Clock, r: Reading, pm_hint: bool = False) -> int:
    """The 24-hour hour of a clock time: am/pm, then morning/evening nearby, then the house rule
    (a bare hour under 7 is pm: nobody schedules office work at 5 in the morning unasked)."""
    hour = clock.hour
    if clock.h24:
        return hour
    if clock.meridiem == "pm":
        return hour % 12 + 12
    if clock.meridiem == "am":
        return hour % 12
    part = _nearest_part(clock, r)
    if part in ("evening", "afternoon"):
        return hour + 12 if hour < 12 else hour
    if part == "night":
        return hour + 12 if 6 <= hour < 12 else (0 if hour == 12 else hour)
    if part == "morning":
        return hour
    return hour + 12 if 1 <= hour <= 6 or (pm_hint and hour < 7) else hour


def _nearest_part(clock: Clock, r: Reading) -> str | None:
    """The part of the day written nearest the time; one written after a later time is that
    time's ("at 8, 12 and 10 at night": only 10 is at night), and one written after an earlier
    time is that one's ("7 in the morning and 9 at night": 9 is not in the morning)."""
    others = [c.at for p in r.phrases for c in p if c.at != clock.at]
    close = [
        (abs(at - clock.at), part)
        for at, part in r.dayparts
        if abs(at - clock.at) <= 6
        and not any(clock.at < o < at or (o < at < clock.at and at - o <= 4) for o in others)
    ]
    return min(close)[1] if close else None


def _weekdays(r: Reading) -> set[int]:
    days = set(r.days)
    fine = r.minute_step or r.hour_step or r.per_day
    if (
        not days
        and r.lone_days
        and (fine or not r.periods & {"day"} or any(on for _, on in r.lone_days))
    ):
        days = {d for d, _ in r.lone_days}
    if not days:
        days = set(r.spread_days)  # "twice a week" with no day named
    listed = r.days_listed and bool(r.phrases)  # "mon-fri at 9:20": the days a time is for
    if (
        r.periods & {"day"}
        and not (r.days_strong or listed)
        and not r.lone_days
        and not r.end_of_week
    ):
        days = set()
    if not days and (r.periods & {"week"}) and not _finer_than(r, "week"):
        days = {1}
    if r.only_days and days and r.only_days <= days:
        days = set(r.only_days)  # "monday thru thursday only (a live one fridays)"
    if r.excluded:
        days = (days or set(range(7))) - r.excluded
    return days


def _finer_than(r: Reading, period: str) -> bool:
    finer = _PERIOD_ORDER[: _PERIOD_ORDER.index(period)]
    return bool(
        r.minute_step or r.hour_step or r.per_day or r.periods & set(finer) or r.every_n.get("day")
    )


def _month_fields(r: Reading, has_days: bool) -> tuple[str, str]:
    months: set[int] = set()
    dom: set[int] = set(r.dom)
    yearly = r.months_strong or "year" in r.periods
    if yearly and r.dates:
        months |= {m for m, _ in r.dates}
        dom |= {d for _, d in r.dates if d is not None}
    months |= r.months
    if "year" in r.periods and not months and not _finer_than(r, "year"):
        months = {1}
    rule_in_quarter = r.scope == "quarter" and r.only_on is not None
    quarterly = "quarter" in r.periods and not months and not _finer_than(r, "month")
    if quarterly or rule_in_quarter:
        ends = r.only_on in ("last_day", "last_business_day", "last_week")
        months = _QUARTER_ENDS if ends else _QUARTER_STARTS
    if r.scope == "year" and r.only_on and not months:
        months = {12} if r.only_on in ("last_day", "last_business_day", "last_week") else {1}
    if "month" in r.every_n and not months:
        months_field = f"*/{r.every_n['month']}"
    else:
        months_field = ",".join(map(str, sorted(months))) if months else "*"
    if has_days or r.only_on:
        return "*" if has_days else _join(dom), months_field
    if not dom and "day" in r.every_n and not (r.minute_step or r.hour_step):
        return f"*/{r.every_n['day']}", months_field
    coarse = r.periods & {"month", "quarter", "year"} or "month" in r.every_n or months
    if not dom and coarse and not _finer_than(r, "month"):
        dom = {1}
    return _join(dom), months_field


def _join(values: set[int]) -> str:
    return ",".join(map(str, sorted(values))) if values else "*"


def weekday_field(days: set[int]) -> str:
    """Crontab weekdays: "1-5" for a run of three or more days, "0,6", "1,3,5", or "*"."""
    if not days or len(days) == 7:
        return "*"
    ordered = sorted(days)
    if len(ordered) >= 3 and ordered[-1] - ordered[0] == len(ordered) - 1:
        return f"{ordered[0]}-{ordered[-1]}"
    return ",".join(map(str, ordered))
