"""What the time grammar found in a request, before it is turned into a schedule."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clock:
    """A time of day as written: `meridiem` "am"/"pm" or None; `h24` when written 24-hour."""

    hour: int
    minute: int
    meridiem: str | None = None
    h24: bool = False
    at: int = 0  # token index, to find the nearest "morning"/"evening"


@dataclass
class Reading:
    """The time facts of one request, each with where it was found (token index)."""

    phrases: list[list[Clock]] = field(default_factory=list)  # point times, one list per phrase
    windows: list[tuple[Clock, Clock]] = field(default_factory=list)
    outside: list[tuple[Clock, Clock]] = field(default_factory=list)  # "except 9am-5pm"
    office_hours: bool = False
    minute_step: int | None = None
    hour_step: int | None = None
    per_day: int | None = None
    periods: set[str] = field(default_factory=set)  # day, week, month, quarter, year
    every_n: dict[str, int] = field(default_factory=dict)  # day/week/month → N (N > 1)
    days: set[int] = field(default_factory=set)  # crontab weekdays, Sunday = 0
    days_strong: bool = False  # "every monday", "mondays", "weekdays"
    # "twice a week": Monday and Thursday, unless the days are named ("twice a week, tues + thurs")
    spread_days: set[int] = field(default_factory=set)
    days_listed: bool = False  # "mon/wed/fri", "mon-fri": a schedule only with a time
    excluded: set[int] = field(default_factory=set)  # "except weekends"
    only_days: set[int] = field(default_factory=set)  # "mon-thu only": no other day runs
    days_before: int | None = None  # "due on the 5th …, remind everyone 3 days before"
    minutes_before: int | None = None  # "the standup is at 10 … 30 min before": 09:30
    lone_days: list[tuple[int, bool]] = field(default_factory=list)  # (weekday, after "on")
    dom: set[int] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    dates: list[tuple[int, int | None]] = field(default_factory=list)  # (month, day): one-off
    months_strong: bool = False  # a date that recurs: "every january 1st", "march 15 each year"
    only_on: str | None = None
    scope: str = "month"  # what only_on's days are counted in: month, quarter or year
    rule_strong: bool = False
    end_of_week: bool = False
    dayparts: list[tuple[int, str]] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)  # where recurrence words are
    approximated: int | None = None  # "every 90 minutes": asked minutes cron cannot step by

    def recurs(self) -> bool:
        """Whether anything in the request repeats on its own (not only a time or a date)."""
        return bool(
            self.minute_step
            or self.hour_step
            or self.per_day
            or self.periods
            or self.every_n
            or self.days_strong
            or self.dom
            or self.months_strong
            or (self.only_on and self.rule_strong)
            or (self.days_listed and self.phrases)
            or (self.excluded and self.phrases)
        )
