"""Work on a helpdesk's tickets (batch14 round), in wording written for these tests: a ticket made
from mail in a named place, moved to a priority, group or department, or tagged, is a write to the
helpdesk (an outbound HTTP write, class B); "turn emails into tickets" with no ticket system named,
and a count of open tickets, write nothing."""

from __future__ import annotations

import pytest

from agents.planner import draft


def _writes(request_text: str) -> list[dict[str, object]]:
    result = draft(request_text)
    assert result.workflow is not None, result
    return [
        s
        for s in result.workflow["steps"]
        if s.get("action") == "http.request" and s["inputs"].get("method") != "GET"
    ]


@pytest.mark.parametrize(
    "request_text",
    [
        "every email to billing@ should become a new case in our help desk, and reply to the "
        "sender that we got it",
        "make every message sent to support@ into a ticket in osticket",
        "unanswered tickets after 6 hours: raise them to urgent priority and post in #support",
        "when a ticket comes in, have AI work out the department and set the department on it",
        "when a refund request arrives by email tag the ticket as refund and tell #billing",
    ],
)
def test_making_or_moving_a_ticket_writes_to_the_helpdesk(request_text: str) -> None:
    assert _writes(request_text)
    assert draft(request_text).approval_class == "B"


@pytest.mark.parametrize(
    "request_text",
    [
        "turn emails into tickets",
        "every friday at 4 post the number of open support tickets from our helpdesk api in "
        "#support",
    ],
)
def test_no_ticket_system_or_only_a_count_writes_nothing(request_text: str) -> None:
    assert not _writes(request_text)
