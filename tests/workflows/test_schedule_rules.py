"""Every-N-weeks and only-on rules, fired by the scheduler's own stored trigger on an injected
clock: exactly the right dates (months starting on a Saturday, February, leap years, DST)."""

from __future__ import annotations

import pickle
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from storage.config import Settings
from workflows.schedule_words import next_runs
from workflows.scheduler import WorkflowScheduler, _job_store_engine, create_scheduler
from workflows.spec import ScheduleTrigger

LONDON = ZoneInfo("Europe/London")


class NoFires:
    """A FireHandler for schedulers whose jobs are only inspected, never due."""

    async def fire(self, workflow_id: str, fire_time: datetime | None = None) -> None:
        """Fail loudly: these jobs are months away."""
        raise AssertionError(f"{workflow_id} fired")


@pytest.fixture
async def scheduler(settings: Settings) -> AsyncIterator[WorkflowScheduler]:
    """A running scheduler on a real job store."""
    running = create_scheduler(settings, NoFires())
    await running.start(active={})
    yield running
    await running.shutdown()


def stored_trigger(settings: Settings, job_id: str) -> Any:
    """The trigger as the job store keeps it (unpickled, as a restarted scheduler reads it)."""
    engine = _job_store_engine(settings)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT job_state FROM apscheduler_jobs WHERE id = :id"), {"id": job_id}
            ).one()
    finally:
        engine.dispose()
    return pickle.loads(row.job_state)["trigger"]


def fires_between(trigger: Any, start: datetime, end: datetime) -> list[datetime]:
    """Drive a trigger the way APScheduler does, with the clock at `start` and each fire."""
    times: list[datetime] = []
    previous: datetime | None = None
    now = start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return times
        times.append(fire)
        previous, now = fire, fire


def local(times: list[datetime]) -> list[tuple[date, int, int]]:
    """(local date, hour, minute) of each fire in London."""
    return [(t.astimezone(LONDON).date(), t.astimezone(LONDON).hour, t.minute) for t in times]


async def test_every_other_monday_fires_on_alternate_weeks_across_the_dst_change(
    settings: Settings, scheduler: WorkflowScheduler
) -> None:
    trigger = ScheduleTrigger(
        cron="0 9 * * 1", timezone="Europe/London", week_interval=2, starts_on=date(2025, 1, 1)
    )
    scheduler.sync_workflow("fortnightly", trigger)
    stored = stored_trigger(settings, "wf:fortnightly")
    times = fires_between(
        stored, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC)
    )
    mondays = [date(2025, 1, 6) + timedelta(weeks=2 * k) for k in range(9)]
    assert [d for d, _, _ in local(times)] == mondays
    assert all((h, m) == (9, 0) for _, h, m in local(times))
    # Clocks went forward on 30 March: 09:00 London is 09:00 UTC before and 08:00 UTC after.
    assert times[5].astimezone(UTC).hour == 9 and times[6].astimezone(UTC).hour == 8
    assert mondays[6] == date(2025, 3, 31)
    # The scheduler's next fire and the preview agree (real clock now).
    assert scheduler.next_fire_time("fortnightly") == next_runs(trigger.model_dump(), 1)[0]


async def test_first_business_day_skips_weekend_starts(
    settings: Settings, scheduler: WorkflowScheduler
) -> None:
    trigger = ScheduleTrigger(
        cron="0 8 1-3 * *", timezone="Europe/London", only_on="first_business_day"
    )
    scheduler.sync_workflow("mrr", trigger)
    stored = stored_trigger(settings, "wf:mrr")
    times = fires_between(
        stored, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert [d for d, _, _ in local(times)] == [
        date(2025, 1, 1),
        date(2025, 2, 3),  # 1 February 2025 is a Saturday
        date(2025, 3, 3),  # so is 1 March
        date(2025, 4, 1),
        date(2025, 5, 1),
        date(2025, 6, 2),  # 1 June is a Sunday
        date(2025, 7, 1),
        date(2025, 8, 1),
        date(2025, 9, 1),
        date(2025, 10, 1),
        date(2025, 11, 3),  # 1 November is a Saturday
        date(2025, 12, 1),
    ]
    assert all((h, m) == (8, 0) for _, h, m in local(times))


async def test_the_second_and_third_business_days_skip_weekends(
    settings: Settings, scheduler: WorkflowScheduler
) -> None:
    """ "the 2nd business day of each month" (books closed, then the P&L): Monday to Friday
    counted from the 1st; cron alone ran on the 2nd whatever the weekday."""
    second = ScheduleTrigger(
        cron="0 9 2-4 * *", timezone="Europe/London", only_on="second_business_day"
    )
    third = ScheduleTrigger(
        cron="0 10 3-5 * *", timezone="Europe/London", only_on="third_business_day"
    )
    scheduler.sync_workflow("pnl", second)
    scheduler.sync_workflow("close", third)
    span = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)
    seconds = [d for d, _, _ in local(fires_between(stored_trigger(settings, "wf:pnl"), *span))]
    thirds = [d for d, _, _ in local(fires_between(stored_trigger(settings, "wf:close"), *span))]
    assert seconds == [
        date(2025, 1, 2),  # Wednesday 1st, Thursday 2nd
        date(2025, 2, 4),  # 1 February is a Saturday: Monday 3rd, Tuesday 4th
        date(2025, 3, 4),  # so is 1 March
        date(2025, 4, 2),
        date(2025, 5, 2),  # Thursday 1st, Friday 2nd
        date(2025, 6, 3),  # 1 June is a Sunday: Monday 2nd, Tuesday 3rd
    ]
    assert thirds == [
        date(2025, 1, 3),
        date(2025, 2, 5),
        date(2025, 3, 5),
        date(2025, 4, 3),
        date(2025, 5, 5),  # Thursday 1st, Friday 2nd, Monday 5th
        date(2025, 6, 4),
    ]


async def test_last_day_of_the_month_knows_february_and_leap_years(
    settings: Settings, scheduler: WorkflowScheduler
) -> None:
    trigger = ScheduleTrigger(cron="0 17 28-31 * *", timezone="Europe/London", only_on="last_day")
    scheduler.sync_workflow("close", trigger)
    stored = stored_trigger(settings, "wf:close")
    times = fires_between(
        stored, datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC)
    )
    days = [d for d, _, _ in local(times)]
    assert len(days) == 16
    assert date(2024, 2, 29) in days and date(2025, 2, 28) in days
    assert date(2024, 2, 28) not in days and date(2024, 4, 30) in days
    assert all(d.month != (d + timedelta(days=1)).month for d in days)
    assert all((h, m) == (17, 0) for _, h, m in local(times))
    march = times[days.index(date(2025, 3, 31))]  # the day after the clocks went forward
    assert march.astimezone(UTC).hour == 16


def test_last_business_day_steps_back_over_weekends() -> None:
    runs = next_runs(
        {
            "cron": "0 16 26-31 * *",
            "timezone": "America/New_York",
            "only_on": "last_business_day",
        },
        8,
        datetime(2025, 5, 1, tzinfo=UTC),
    )
    assert [r.date() for r in runs] == [
        date(2025, 5, 30),  # 31 May is a Saturday
        date(2025, 6, 30),
        date(2025, 7, 31),
        date(2025, 8, 29),  # 31 August is a Sunday
        date(2025, 9, 30),
        date(2025, 10, 31),
        date(2025, 11, 28),  # 30 November is a Sunday
        date(2025, 12, 31),
    ]


def test_last_friday_and_first_monday_of_the_month() -> None:
    fridays = next_runs(
        {"cron": "0 17 * * 5", "timezone": "UTC", "only_on": "last_week"},
        3,
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert [r.date() for r in fridays] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 28)]
    mondays = next_runs(
        {"cron": "0 10 * * 1", "timezone": "UTC", "only_on": "first_week"},
        3,
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert [r.date() for r in mondays] == [date(2025, 1, 6), date(2025, 2, 3), date(2025, 3, 3)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cron": "0 8 1 * *", "only_on": "first_business_day"}, "days 1-3"),
        ({"cron": "0 17 28 * *", "only_on": "last_day"}, "days 28-31"),
        ({"cron": "0 8 1-3 * 1", "only_on": "first_business_day"}, "both day of month"),
        ({"cron": "0 9 1 * *", "week_interval": 2}, "runs on weekdays"),
        ({"cron": "0 9 * * 1", "week_interval": 2, "only_on": "last_week"}, "not both"),
        ({"cron": "0 9 * * 1", "week_interval": 0}, "greater than or equal to 1"),
        ({"cron": "0 9 * * 1", "only_on": "third_tuesday"}, "first_business_day"),
    ],
)
def test_rules_that_cannot_work_are_refused_with_the_reason(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ScheduleTrigger.model_validate(fields)


def test_every_other_week_starts_today_when_no_date_is_given_and_plain_crons_stay_plain() -> None:
    trigger = ScheduleTrigger(cron="0 9 * * 1", timezone="Pacific/Auckland", week_interval=2)
    assert trigger.starts_on == datetime.now(ZoneInfo("Pacific/Auckland")).date()
    plain = ScheduleTrigger(cron="0 9 * * 1")
    assert plain.model_dump() == {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"}
    ruled = ScheduleTrigger(cron="0 8 1-3 * *", only_on="first_business_day")
    assert ScheduleTrigger.model_validate_json(ruled.model_dump_json()) == ruled


async def test_a_named_day_runs_beside_the_last_day_rule(
    settings: Settings, scheduler: WorkflowScheduler
) -> None:
    """ "the 15th and the last day of each month" (semi-monthly pay): the rule keeps only its
    own days (28-31); the 15th runs as named. A range stays under the rule ("1-31")."""
    trigger = ScheduleTrigger(
        cron="0 10 15,28-31 * *", timezone="Europe/London", only_on="last_day"
    )
    scheduler.sync_workflow("pay", trigger)
    stored = stored_trigger(settings, "wf:pay")  # as a restarted scheduler reads it
    times = fires_between(
        stored, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    )
    assert [d for d, _, _ in local(times)] == [
        date(2024, 1, 15), date(2024, 1, 31), date(2024, 2, 15), date(2024, 2, 29),
        date(2024, 3, 15), date(2024, 3, 31),
    ]  # fmt: skip
    every_day = next_runs(
        {"cron": "0 10 1-31 * *", "timezone": "UTC", "only_on": "last_day"},
        2,
        datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert [r.date() for r in every_day] == [date(2024, 1, 31), date(2024, 2, 29)]
