"""A tool Levqor has no integration for is called at a stand-in address, never at a guessed one.

"api.helpdesk.com" may be anyone's site: a draft that guessed it would, once approved, send the
trigger's data there. The planner drafts the tool's name under the reserved `.example` domain,
the card says the address is still to be filled in, and approval waits for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from workflows.describe import summary
from workflows.stand_ins import is_stand_in, stand_in_steps


def drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.status == "draft", (result.question, result.reason)
    assert result.workflow is not None
    return result.workflow


def calls(spec: dict[str, Any]) -> list[str]:
    return [str(s["inputs"]["url"]) for s in spec["steps"] if s["action"] == "http.request"]


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        (
            "post the number of open tickets from our helpdesk to #support every morning at 9",
            "Helpdesk",
        ),
        ("when a new order comes in, create a task in our booking system", "Booking System"),
        ("create a zendesk ticket for each new wufoo form entry", "Zendesk"),
        ("when a deal is won in hubspot add a row to our airtable base", "Airtable"),
        ("every monday at 8 email me the overdue tasks from asana", "Asana"),
    ],
)
def test_a_tool_without_an_integration_gets_a_stand_in_address(
    request_text: str, tool: str
) -> None:
    spec = drafted(request_text)
    urls = calls(spec)
    assert urls and all(is_stand_in(url) for url in urls), urls
    assert stand_in_steps(spec)  # approval waits for the real address
    said = summary(spec)
    assert f"{tool} (its web address is still to be filled in)" in said


def test_a_messenger_webhook_is_a_stand_in_until_its_own_address_is_given() -> None:
    spec = drafted("ping our discord when a stripe payment fails")
    [url] = calls(spec)
    assert is_stand_in(url)
    assert "Discord (its web address is still to be filled in)" in summary(spec)


def test_an_address_the_request_gives_is_used_as_given() -> None:
    spec = drafted(
        "Send a POST to our fulfilment partner's API (https://api.shipfast.io/orders) "
        "whenever a Stripe payment succeeds"
    )
    assert calls(spec) == ["https://api.shipfast.io/orders"]
    assert not stand_in_steps(spec)
