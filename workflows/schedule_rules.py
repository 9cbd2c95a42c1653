"""What cron cannot say, done exactly at run time: every N weeks, and only some days of a month.

A schedule trigger with `week_interval` > 1 or `only_on` fires on its cron's candidate days
("0 8 1-3 * *" for the first business day) and this trigger keeps only the fires the rule
allows. A skipped fire is never handed to the scheduler, so it is not a run. Rules read the
local date of each fire in the trigger's own zone, so weekends, month lengths and DST are exact.
Business days are Monday to Friday (public holidays are not known here).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from workflows.cron import cron_trigger, field_values

# Days of the month a rule can fall on: the cron must fire on all of them.
CANDIDATE_DAYS = {
    "first_business_day": range(1, 4),
    "second_business_day": range(2, 5),
    "third_business_day": range(3, 6),
    "last_business_day": range(26, 32),
    "last_day": range(28, 32),
}
_WEEK_OF_MONTH = {"first_week": 1, "second_week": 8, "third_week": 15, "fourth_week": 22}
# Rules move to at most the next day or week per skip: this bounds a search that finds nothing.
MAX_SKIPS = 2000


def check_rules(cron: str, week_interval: int, only_on: str | None) -> None:
    """Raise ValueError when the rule fields cannot work with the cron they filter."""
    _minute, _hour, day, _month, weekday = cron.split()
    if week_interval > 1 and only_on is not None:
        raise ValueError("use week_interval or only_on, not both")
    if week_interval > 1 and day != "*":
        raise ValueError(
            f"week_interval needs a cron that runs on weekdays, not days of the month "
            f"(e.g. '0 9 * * 1'), not {cron!r}"
        )
    days = CANDIDATE_DAYS.get(only_on or "")
    if days is None:
        return
    if weekday != "*":
        raise ValueError(f"only_on {only_on!r} needs the cron's weekday field to be '*'")
    if not set(days) <= field_values(day, 1, 31):
        raise ValueError(
            f"only_on {only_on!r} needs the cron to run on days {days.start}-{days.stop - 1} "
            f"of the month (e.g. '0 9 {days.start}-{days.stop - 1} * *'), not {cron!r}"
        )


def named_days(cron: str, only_on: str | None) -> frozenset[int]:
    """Days of the month the cron names one by one besides the rule's candidate days: they run
    as named, the rule keeps only its own ("15,28-31" with `last_day`: the 15th and the last
    day). Ranges and steps are never such days ("1-31" with `last_day` is the last day only)."""
    days = CANDIDATE_DAYS.get(only_on or "")
    if days is None:
        return frozenset()
    field = cron.split()[2]
    return frozenset(int(part) for part in field.split(",") if part.isdigit()) - set(days)


def allowed_on(day: date, only_on: str | None, also_on: frozenset[int] = frozenset()) -> bool:
    """Whether a local date satisfies an `only_on` rule (None allows every date); the days in
    `also_on` (`named_days`) are allowed as well."""
    last = calendar.monthrange(day.year, day.month)[1]
    if only_on is None or day.day in also_on:
        return True
    if only_on in _NTH_BUSINESS_DAY:
        return day.weekday() < 5 and _business_days_to(day) == _NTH_BUSINESS_DAY[only_on]
    if only_on == "last_business_day":
        end = date(day.year, day.month, last)
        return day == end - timedelta(days=max(0, end.weekday() - 4))
    if only_on == "last_day":
        return day.day == last
    if only_on == "last_week":
        return day.day > last - 7
    start = _WEEK_OF_MONTH[only_on]
    return start <= day.day < start + 7


_NTH_BUSINESS_DAY = {"first_business_day": 1, "second_business_day": 2, "third_business_day": 3}


def _business_days_to(day: date) -> int:
    """How many Mondays to Fridays the month has from its 1st up to `day`, both counted."""
    return sum(date(day.year, day.month, d).weekday() < 5 for d in range(1, day.day + 1))


class RuleTrigger(BaseTrigger):  # type: ignore[misc]
    """A cron trigger that keeps only the fires its rule allows (picklable for the job store)."""

    def __init__(
        self,
        cron: str,
        timezone: str,
        week_interval: int = 1,
        starts_on: date | None = None,
        only_on: str | None = None,
    ) -> None:
        self.cron = cron
        self.zone = ZoneInfo(timezone)
        self.inner: CronTrigger = cron_trigger(cron, timezone)
        self.week_interval = week_interval
        self.only_on = only_on
        self.also_on = named_days(cron, only_on)
        self.first: datetime | None = None
        if week_interval > 1:
            start = datetime.combine(starts_on or date.today(), time(), self.zone)
            self.first = self.inner.get_next_fire_time(None, start)

    def __str__(self) -> str:
        rule = f"every {self.week_interval} weeks" if self.week_interval > 1 else self.only_on
        return f"rule[{self.cron} {self.zone}; {rule}]"

    def get_next_fire_time(self, previous_fire_time: Any, now: Any) -> datetime | None:
        """The cron's next fire the rule allows (None when none within MAX_SKIPS days/weeks)."""
        fire: datetime | None = self.inner.get_next_fire_time(previous_fire_time, now)
        for _ in range(MAX_SKIPS):
            if fire is None:
                return None
            resume = self._resume_after(fire)
            if resume is None:
                return fire
            fire = self.inner.get_next_fire_time(None, resume)
        return None

    def _resume_after(self, fire: datetime) -> datetime | None:
        """None if the rule allows `fire`; else the earliest time worth asking the cron again."""
        local = fire.astimezone(self.zone)
        if self.first is not None:
            if fire < self.first:
                return self.first
            week = _monday(local.date())
            weeks = (week - _monday(self.first.astimezone(self.zone).date())).days // 7
            off = weeks % self.week_interval
            if off:
                return self._midnight(week + timedelta(weeks=self.week_interval - off))
        also_on: frozenset[int] = getattr(self, "also_on", frozenset())  # older pickles lack it
        if not allowed_on(local.date(), self.only_on, also_on):
            return self._midnight(local.date() + timedelta(days=1))
        return None

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone)


def schedule_fires(
    cron: str,
    timezone: str,
    week_interval: int = 1,
    starts_on: date | None = None,
    only_on: str | None = None,
) -> BaseTrigger:
    """The APScheduler trigger for a schedule: the plain cron, or a RuleTrigger around it."""
    if week_interval > 1 or only_on is not None:
        return RuleTrigger(cron, timezone, week_interval, starts_on, only_on)
    return cron_trigger(cron, timezone)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
