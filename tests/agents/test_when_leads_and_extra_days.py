"""A lead on a clock time said ("our standup is at 10 … 30 min before" → 09:30) and days named in
addition ("weekends too") rather than as the only days."""

from __future__ import annotations

import pytest

from agents.planner import draft


def _cron(request: str) -> str:
    result = draft(request)
    trigger = (result.workflow or {})["trigger"]
    assert trigger["type"] == "schedule", trigger
    return str(trigger["cron"])


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        (
            "our standup is 10am weekdays. 30 min before, DM each PM their overdue tickets",
            "30 9 * * 1-5",
        ),
        (
            "the board meets every monday at 2pm, an hour before post the agenda in #board",
            "0 13 * * 1",
        ),
        ("payroll closes fridays at 4pm; half an hour before, remind #finance", "30 15 * * 5"),
        ("every day at 9 post the numbers in #sales", "0 9 * * *"),
    ],
)
def test_a_lead_on_the_time_said_moves_the_run_earlier(request_text: str, cron: str) -> None:
    assert _cron(request_text) == cron


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        (
            "every 30 minutes, including weekends, check the queue and post the count in #ops",
            "*/30 * * * *",
        ),
        ("every hour, weekends too, post the open tickets count in #support", "0 * * * *"),
        ("on weekends at 10 post the specials in #floor", "0 10 * * 0,6"),
        ("weekdays at 9 post the standup reminder in #eng", "0 9 * * 1-5"),
    ],
)
def test_days_named_in_addition_do_not_become_the_only_days(request_text: str, cron: str) -> None:
    assert _cron(request_text) == cron
