"""A scheduled message that lists records a system keeps ("tasks due today", "orders that
haven't shipped", "shifts nobody has picked up") reads them from that system first, and says so;
people it is sent to and records a step deletes are not read."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from agents.planner.selected_records import selected_records


def _steps(request: str) -> list[dict[str, Any]]:
    result = draft(request)
    assert result.status == "draft", result.model_dump()
    assert result.workflow is not None
    return list(result.workflow["steps"])


@pytest.mark.parametrize(
    ("request_text", "records"),
    [
        ("every friday email me a list of open support tickets", "tickets"),
        ("each morning post the orders that haven't shipped yet in #ops", "orders"),
        ("every day at 7 email the managers the shifts nobody has picked up yet", "shifts"),
        ("weekdays at 8 slack me the unassigned work orders", "orders"),
        ("every evening post the deliveries still waiting for a driver in #dispatch", "deliveries"),
    ],
)
def test_the_records_a_message_lists_are_read_before_it_is_sent(
    request_text: str, records: str
) -> None:
    steps = _steps(request_text)
    read = steps[0]
    assert read["action"] == "http.request" and read["inputs"]["method"] == "GET"
    assert read["inputs"]["url"].endswith("/" + records)
    sent = steps[-1]
    assert sent["action"] in ("email.send", "slack.post_message")
    assert f"steps.{read['id']}" in sent["inputs"]["text"]  # the message carries what was read


def test_the_summary_says_what_is_posted_not_a_web_response() -> None:
    result = draft("each morning post the orders that haven't shipped yet in #ops")
    assert result.summary is not None
    assert "read the orders from the system that keeps them" in result.summary
    assert "post the orders in #ops" in result.summary
    assert "web response" not in result.summary


@pytest.mark.parametrize(
    "text",
    [
        "email all our users that the service will be down on saturday",  # whom, and what
        "every night purge the audit logs older than 2 years",  # what is deleted
        "every monday email the managers a reminder to approve timesheets",
        "every friday post a report of last week's runs to #ops",  # Levqor's own records
        "email the customers that signed up today a welcome",  # the CRM's people
    ],
)
def test_recipients_deleted_records_and_our_own_records_are_not_read(text: str) -> None:
    assert selected_records(text) is None


def test_a_time_said_in_words_is_not_the_name() -> None:
    result = draft(
        "every weekday at half past eight: one email to me with tasks due today and anything "
        "overdue"
    )
    assert result.workflow is not None
    assert "half past" not in result.workflow["name"].lower()
    assert "eight" not in result.workflow["name"].lower()
