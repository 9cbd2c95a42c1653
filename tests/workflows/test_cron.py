"""Standard crontab weekdays, checked against the fire times APScheduler actually computes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from workflows.cron import cron_trigger, same_schedule, validate_crontab

LONDON = ZoneInfo("Europe/London")
SUNDAY = datetime(2025, 1, 5, tzinfo=LONDON)  # a known Sunday, 00:00 local
SUN, MON, TUE, WED, THU, FRI, SAT = range(7)  # crontab numbering


def fire_times(trigger: CronTrigger, start: datetime, days: int) -> list[datetime]:
    """Every fire time in [start, start + days)."""
    end = start + timedelta(days=days)
    times: list[datetime] = []
    previous: datetime | None = None
    now = start - timedelta(microseconds=1)
    while True:
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt is None or nxt >= end:
            return times
        times.append(nxt)
        previous, now = nxt, nxt


def cron_weekdays(times: list[datetime]) -> set[int]:
    """The crontab weekday numbers (Sunday = 0) of some fire times."""
    return {(t.isoweekday() % 7) for t in times}


def test_weekday_range_fires_monday_to_friday_only() -> None:
    times = fire_times(cron_trigger("0 9 * * 1-5", "Europe/London"), SUNDAY, 14)
    assert len(times) == 10
    assert [t.date() for t in times][:5] == [date(2025, 1, d) for d in range(6, 11)]
    assert cron_weekdays(times) == {MON, TUE, WED, THU, FRI}
    assert all((t.hour, t.minute) == (9, 0) and t.tzinfo == LONDON for t in times)


def test_raw_apscheduler_from_crontab_would_shift_the_days() -> None:
    # APScheduler 3 counts day_of_week from Monday = 0, so its from_crontab reads "1-5" as
    # Tuesday to Saturday. This is why workflows.cron translates weekdays itself.
    raw = fire_times(CronTrigger.from_crontab("0 9 * * 1-5", timezone=LONDON), SUNDAY, 14)
    assert cron_weekdays(raw) == {TUE, WED, THU, FRI, SAT}
    raw_sunday = fire_times(CronTrigger.from_crontab("0 0 * * 0", timezone=LONDON), SUNDAY, 14)
    assert cron_weekdays(raw_sunday) == {MON}


@pytest.mark.parametrize("expr", ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun", "0 0 * * SUN"])
def test_zero_seven_and_sun_are_sunday(expr: str) -> None:
    times = fire_times(cron_trigger(expr, "Europe/London"), SUNDAY, 21)
    assert len(times) == 3
    assert cron_weekdays(times) == {SUN}


@pytest.mark.parametrize(
    ("dow", "expected"),
    [
        ("6,0", {SAT, SUN}),
        ("mon-fri", {MON, TUE, WED, THU, FRI}),
        ("Mon,Wed,Fri", {MON, WED, FRI}),
        ("1-5/2", {MON, WED, FRI}),
        ("*/2", {SUN, TUE, THU, SAT}),
        ("0-6/3", {SUN, WED, SAT}),
        ("5-7", {FRI, SAT, SUN}),
        ("fri-sun", {FRI, SAT, SUN}),
        ("5-0", {FRI, SAT, SUN}),
        ("1,7", {MON, SUN}),
        ("*", {SUN, MON, TUE, WED, THU, FRI, SAT}),
    ],
)
def test_weekday_forms(dow: str, expected: set[int]) -> None:
    times = fire_times(cron_trigger(f"30 8 * * {dow}", "UTC"), SUNDAY.replace(tzinfo=UTC), 14)
    assert cron_weekdays(times) == expected


def test_other_fields_and_steps_pass_through() -> None:
    times = fire_times(cron_trigger("*/15 9-10 1 * *", "UTC"), datetime(2025, 3, 1, tzinfo=UTC), 2)
    assert [(t.hour, t.minute) for t in times] == [(h, m) for h in (9, 10) for m in (0, 15, 30, 45)]
    assert {t.day for t in times} == {1}


def test_nine_am_london_across_both_clock_changes() -> None:
    trigger = cron_trigger("0 9 * * *", "Europe/London")
    spring = fire_times(trigger, datetime(2025, 3, 29, tzinfo=LONDON), 3)  # BST from 30 March
    autumn = fire_times(trigger, datetime(2025, 10, 25, tzinfo=LONDON), 3)  # GMT from 26 Oct
    for times in (spring, autumn):
        assert [t.astimezone(LONDON).hour for t in times] == [9, 9, 9]
    assert [t.utcoffset() for t in spring] == [timedelta(0), timedelta(hours=1), timedelta(hours=1)]
    assert [t.utcoffset() for t in autumn] == [timedelta(hours=1), timedelta(0), timedelta(0)]
    # The UTC instants move by an hour, so the job store holds the right absolute time.
    assert [t.astimezone(UTC).hour for t in spring] == [9, 8, 8]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 9 * *", "5 fields"),
        ("0 9 * * 1-5 2025", "5 fields"),
        ("0 9 * * 8", "0-7"),
        ("0 9 * * funday", "day name"),
        ("0 9 * * fri-mon", "backwards"),
        ("0 9 * * */0", "step"),
        ("0 9 * * */x", "step"),
        ("61 9 * * *", "cron"),
        ("0 9 * * 1;rm", "characters"),
        ("0 9 1 * 1", "both day of month and weekday"),
    ],
)
def test_invalid_crontabs_are_refused(expr: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_crontab(expr)


def test_validate_normalises_spacing() -> None:
    assert validate_crontab("  0   9 * *  1-5 ") == "0 9 * * 1-5"


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("0 9 1 */3 *", "0 9 1 1,4,7,10 *", True),
        ("0 9 * * 1-5", "0 9 * * 1,2,3,4,5", True),
        ("0 9 * * 7", "0 9 * * 0", True),
        ("0 8,17 * * *", "0 17,8 * * *", True),
        ("0 9 * * *", "0 9 * * 1", False),
        ("0 9 1-31 * 1", "0 9 * * 1", False),  # a restricted day of month ORs with the weekday
        ("0 9 * * *", None, False),
        ("not a cron", "0 9 * * *", False),
    ],
)
def test_same_schedule_compares_fire_times_not_spelling(
    first: str, second: str | None, same: bool
) -> None:
    assert same_schedule(first, second) is same
