"""When it runs (batch14 round), in wording written for these tests: a day and a part of the day
opening the request ("saturday night at 10") is every such day at that time, like "friday 3pm"."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("saturday night at 10 purge the temp uploads older than a week", "0 22 * * 6"),
        ("friday evening at 6 post the week's closed deals in #sales", "0 18 * * 5"),
        ("monday morning at 8 email me the open support tickets", "0 8 * * 1"),
    ],
)
def test_a_day_and_a_part_of_the_day_opening_the_request_repeat(
    request_text: str, cron: str
) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == cron
