"""What a scheduled message must read first (batch14 round), in wording written for these tests:
the people it picks out ("who hasn't …", "anyone in slack who …"), whose birthday or anniversary
it is, or stock levels, are read from the system that keeps them; and where the team is says whose
clock the times are on."""

from __future__ import annotations

import pytest

from agents.planner import draft


def _gets(request_text: str) -> list[str]:
    result = draft(request_text)
    assert result.workflow is not None, result
    return [
        str(s["inputs"]["url"])
        for s in result.workflow["steps"]
        if s.get("action") == "http.request" and s["inputs"].get("method") == "GET"
    ]


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday at 3 slack anyone who hasn't logged their hours this week",
        "weekdays at 8 email staff in the warehouse who didn't clock out yesterday",
        "every monday tell each team lead in slack whose work anniversary falls this week",
        "at 9am post a happy birthday in #general for the people with a birthday today",
        "text me when stock on any item goes under 3",
    ],
)
def test_the_records_a_message_is_about_are_read(request_text: str) -> None:
    assert _gets(request_text)


def test_a_reminder_to_everyone_reads_nothing() -> None:
    assert not _gets("every friday at 4 remind #team to submit their timesheets")


@pytest.mark.parametrize(
    ("request_text", "zone"),
    [
        ("every weekday at 8 post the day's bookings in #front-desk. we're in dublin",
         "Europe/Dublin"),
        ("our office is in toronto; send me the open invoices every monday at 9",
         "America/Toronto"),
    ],
)  # fmt: skip
def test_where_the_team_is_names_the_zone(request_text: str, zone: str) -> None:
    result = draft(request_text)
    assert result.timezone == zone
