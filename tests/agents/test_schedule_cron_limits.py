"""Schedules cron cannot say exactly: the nearest cron is used and the draft says so in words."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.schedule import find_schedule, minutes_note
from agents.planner.text import normalise


@pytest.mark.parametrize(
    ("phrase", "cron", "asked"),
    [
        ("every 90 minutes pull the queue length from our api into #ops", "0 */2 * * *", 90),
        ("every 150 minutes refresh the stock sheet", "0 */3 * * *", 150),
        ("every 75 minutes check the booking page", "0 * * * *", 75),
        ("every 30 minutes check the booking page", "*/30 * * * *", None),
        ("every 120 minutes check the booking page", "0 */2 * * *", None),
    ],
)
def test_minutes_over_an_hour_run_at_the_nearest_whole_hours(
    phrase: str, cron: str, asked: int | None
) -> None:
    schedule = find_schedule(normalise(phrase))
    assert schedule is not None
    assert (schedule.cron, schedule.asked_minutes) == (cron, asked)


def test_the_draft_says_what_cron_cannot_do() -> None:
    result = draft("every 90 minutes pull the queue length from our api and post it in #ops")
    assert result.workflow is not None
    description = result.workflow["description"]
    assert "cannot repeat every 90 minutes" in description
    assert "every 2 hours" in description
    assert minutes_note(normalise("every day at 9 post the rota in #team")) is None


@pytest.mark.parametrize(
    ("phrase", "cron"),
    [
        ("on the 5th and 20th at 10am email me the payroll sheet", "0 10 5,20 * *"),
        ("every 10th and 25th at 4pm remind #finance about invoices", "0 16 10,25 * *"),
        ("every 3rd, 17th and 28th post the stock count in #ops", "0 9 3,17,28 * *"),
    ],
)
def test_listed_days_of_the_month_after_every_are_all_kept(phrase: str, cron: str) -> None:
    schedule = find_schedule(normalise(phrase))
    assert schedule is not None and schedule.cron == cron


@pytest.mark.parametrize(
    "phrase",
    [
        "end of the month at 6pm email me the expenses total",
        "at the end of the month post the sales total in #general",
        "close of the month at 4 send the invoice list to accounts@example.com",
    ],
)
def test_end_of_the_month_without_every_recurs(phrase: str) -> None:
    schedule = find_schedule(normalise(phrase))
    assert schedule is not None
    assert schedule.only_on == "last_day" and schedule.dom == "28-31"


@pytest.mark.parametrize(
    "phrase",
    [
        "by the end of the month send me the contract",
        "before the end of this month remind me to file taxes",
    ],
)
def test_a_one_off_deadline_at_month_end_is_no_schedule(phrase: str) -> None:
    assert find_schedule(normalise(phrase)) is None
