"""When it runs (batch16 round), in wording written for these tests: a day range written before
the time keeps its days even when "daily" names a thing ("the daily"), days marked "only" are the
only days run, and a count of days ("the next three fridays") is what is sent, not when."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("tue-thu at 8:45 tell #eng the daily is moved to the big room", "45 8 * * 2-4"),
        ("mon/wed/fri at 4pm remind #ops that the daily checklist is due", "0 16 * * 1,3,5"),
    ],
)
def test_a_day_range_before_the_time_is_kept_beside_a_daily_thing(
    request_text: str, cron: str
) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        (
            "post the lunch order form in #office at 11am, tuesday to friday only "
            "(mondays we eat out)",
            "0 11 * * 2-5",
        ),
        (
            "at 8am remind #drivers to log their miles, mon-wed only since thursdays are off",
            "0 8 * * 1-3",
        ),
    ],
)
def test_days_marked_only_are_the_only_days_it_runs(request_text: str, cron: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        (
            "every week email the volunteers the cleaning rota for the next three saturdays "
            "from our sheet",
            "0 9 * * 1",
        ),
        ("weekly send the coaches the fixtures for the coming 2 sundays", "0 9 * * 1"),
    ],
)
def test_a_count_of_days_is_what_is_sent_not_when_it_runs(request_text: str, cron: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("rent is due on the 20th of every month, text me 4 days before so i don't forget",
         "0 9 16 * *"),
        ("timesheets close on the 25th each month. remind #staff two days earlier at 10am",
         "0 10 23 * *"),
        ("every month on the 12th the board pack is due; email the directors the day before",
         "0 9 11 * *"),
    ],
)  # fmt: skip
def test_days_before_a_day_of_the_month_run_that_many_days_earlier(
    request_text: str, cron: str
) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


def test_days_before_each_records_own_date_stay_a_daily_look() -> None:
    trigger = drafted_trigger("email each client 3 days before their invoice is due")
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * *"
