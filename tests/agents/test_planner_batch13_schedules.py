"""Times as people write them (batch13 round), in wording written for these tests: a part of the
day that belongs to one time of a list, "before N" as a deadline, and UTC offsets as zones."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.zones import find_timezone
from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        # a part of the day after a list belongs to the time it follows
        ("email the handover notes to the team at 9, 1 and 11 at night", "0 9,13,23 * * *"),
        ("email me the queue at 7 in the morning and 9 at night", "0 7,21 * * *"),
        ("every day at 6 in the morning and 6 in the evening check the site is up and email me",
         "0 6,18 * * *"),
        # a part of the day before the list is every time's
        ("every evening at 6 and 8 post the scores in #ops", "0 18,20 * * *"),
        # "before N" bounding a daily run: the hour before
        ("each morning before 10 post the on-call rota in #support", "0 9 * * *"),
        ("weekdays before 7 text me the traffic", "0 6 * * 1-5"),
        ("daily before noon post the lunch menu in #food", "0 11 * * *"),
        ("every day before 8am send me the weather", "0 7 * * *"),
    ],
)  # fmt: skip
def test_times_of_a_list_and_before_a_deadline(request_text: str, cron: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "zone", "said"),
    [
        ("every weekday at 3:30pm GMT-4 email me the pipeline", "Etc/GMT+4", "UTC-4"),
        ("post the sales numbers in #ops daily at 6 in the morning, UTC+3", "Etc/GMT-3", "UTC+3"),
        ("at 9 utc +05:30 post the standup summary in #dev", "Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_a_utc_offset_is_a_fixed_offset_zone_said_as_written(
    request_text: str, zone: str, said: str
) -> None:
    result = draft(request_text)
    assert result.timezone == zone
    trigger = drafted_trigger(request_text)
    assert trigger["timezone"] == zone
    assert said in (result.summary or "")
    assert "Etc/" not in (result.summary or "")


def test_zone_words_and_plain_utc_are_unchanged() -> None:
    assert find_timezone("every day at 9am utc email me") == "UTC"
    assert find_timezone("at 9 gmt send the report") == "Europe/London"
    assert find_timezone("the gmt-5 offset is on the sign") == "Etc/GMT+5"
