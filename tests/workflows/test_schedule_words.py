"""Schedules in words an owner reads, and the next run times they will see."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from agents.planner import draft
from workflows.schedule_words import describe_cron, describe_schedule, next_runs

WORDS = [
    ({"cron": "0 9 * * 1", "week_interval": 2}, "every other Monday at 09:00 (Europe/London)"),
    ({"cron": "0 14 * * 2", "week_interval": 3},
     "every 3 weeks on Tuesday at 14:00 (Europe/London)"),
    ({"cron": "0 8 1-3 * *", "only_on": "first_business_day"},
     "on the first business day of each month at 08:00 (Europe/London)"),
    ({"cron": "0 9 2-4 * *", "only_on": "second_business_day"},
     "on the second business day of each month at 09:00 (Europe/London)"),
    ({"cron": "*/15 9-17 * * 1-5"},
     "every 15 minutes from 09:00 to 17:45, Monday to Friday (Europe/London)"),
    ({"cron": "0 8,17 * * *"}, "twice a day at 08:00 and 17:00 (Europe/London)"),
    ({"cron": "0 17 28-31 * *", "only_on": "last_day"},
     "on the last day of each month at 17:00 (Europe/London)"),
    ({"cron": "0 10 15,28-31 * *", "only_on": "last_day"},
     "on the 15th and the last day of each month at 10:00 (Europe/London)"),
    ({"cron": "0 8 1-3,15 * *", "only_on": "first_business_day"},
     "on the 15th and the first business day of each month at 08:00 (Europe/London)"),
    ({"cron": "0 16 26-31 3,6,9,12 *", "only_on": "last_business_day"},
     "on the last business day of each quarter (March, June, September and December) at 16:00 "
     "(Europe/London)"),
    ({"cron": "0 17 * * 5", "only_on": "last_week"},
     "on the last Friday of each month at 17:00 (Europe/London)"),
    ({"cron": "0 9 */2 * *"},
     "every other day at 09:00 (Europe/London); on odd-numbered days of the month, so after the "
     "31st it runs again on the 1st"),
    ({"cron": "0 9 1 1,4,7,10 *"},
     "on the 1st of each quarter (January, April, July and October) at 09:00 (Europe/London)"),
    ({"cron": "0 9 1 1 *"}, "every year on the 1st of January at 09:00 (Europe/London)"),
    ({"cron": "0 8 1,15 * *"}, "on the 1st and 15th of each month at 08:00 (Europe/London)"),
    ({"cron": "0 7-19 * * 1-5"},
     "every hour from 07:00 to 19:00, Monday to Friday (Europe/London)"),
    ({"cron": "0 8-20/3 * * *"}, "every 3 hours from 08:00 to 20:00 (Europe/London)"),
    ({"cron": "0 10 * * 0,6"}, "every Saturday and Sunday at 10:00 (Europe/London)"),
    ({"cron": "30 17 * * 2,4"}, "every Tuesday and Thursday at 17:30 (Europe/London)"),
    ({"cron": "0 9,17 * * 1-5"},
     "twice a day at 09:00 and 17:00, Monday to Friday (Europe/London)"),
    ({"cron": "*/30 * * * *"}, "every 30 minutes"),
    ({"cron": "0 * * * *"}, "every hour, on the hour"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "words"), WORDS)
def test_schedules_are_said_in_plain_words(fields: dict[str, object], words: str) -> None:
    assert describe_schedule({"type": "schedule", "timezone": "Europe/London", **fields}) == words


@pytest.mark.parametrize(
    "cron", ["15,45 9-17 * * *", "0 9 1-7 * *", "7 3 */5 2 *", "0 0 29 2 *", "5 4 * * 0-3"]
)
def test_unusual_crons_are_still_words_never_the_cron_itself(cron: str) -> None:
    words = describe_cron(cron, "UTC")
    assert cron not in words and "*" not in words and "`" not in words
    assert words[0].isalpha()


def test_a_broken_cron_says_so_without_showing_it() -> None:
    assert "not valid" in describe_cron("every monday", "UTC")


def test_next_runs_honour_every_other_week_from_its_start_date() -> None:
    trigger = {
        "cron": "0 9 * * 1",
        "timezone": "Europe/London",
        "week_interval": 2,
        "starts_on": "2025-03-05",  # a Wednesday: the first run is the Monday after
    }
    runs = next_runs(trigger, 3, datetime(2025, 3, 1, tzinfo=UTC))
    assert [r.date() for r in runs] == [date(2025, 3, 10), date(2025, 3, 24), date(2025, 4, 7)]
    assert all(r.hour == 9 for r in runs)
    later = next_runs(trigger, 1, datetime(2025, 3, 11, tzinfo=UTC))
    assert later[0].date() == date(2025, 3, 24)  # the Monday between is skipped


def test_next_runs_can_be_shown_in_the_workspace_zone() -> None:
    trigger = {"cron": "0 8 1-3 * *", "timezone": "Europe/London", "only_on": "first_business_day"}
    runs = next_runs(trigger, 3, datetime(2025, 1, 15, tzinfo=UTC), zone="America/New_York")
    assert [(r.date(), r.hour) for r in runs] == [
        (date(2025, 2, 3), 3),
        (date(2025, 3, 3), 3),
        (date(2025, 4, 1), 3),  # London is on summer time by then, New York too
    ]
    assert str(runs[0].tzinfo) == "America/New_York"


def test_a_draft_says_in_words_what_its_cron_alone_would_not() -> None:
    result = draft("every other monday at 10 post the retro notes in #team")
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert (trigger["cron"], trigger["week_interval"]) == ("0 10 * * 1", 2)
    assert date.fromisoformat(trigger["starts_on"]) == datetime.now(UTC).date()
    assert "runs every other Monday at 10:00 (UTC)" in result.workflow["description"]
    monthly = draft("on the first business day of the month at 8 email me the MRR from stripe")
    assert monthly.workflow is not None
    assert monthly.workflow["trigger"]["only_on"] == "first_business_day"
    assert "first business day of each month at 08:00" in monthly.workflow["description"]
    plain = draft("every monday at 9 post new leads from hubspot in #sales")
    assert plain.workflow is not None
    assert "runs " not in plain.workflow["description"]
