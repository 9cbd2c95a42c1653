"""An email address named as a record's field is not a message sent (batch14 round), in wording
written for these tests: "look them up by their email", "with the customer email and total"."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_actions


@pytest.mark.parametrize(
    "request_text",
    [
        "when a demo is booked, search pipedrive for their email and add a note to the person",
        "new shopify orders over $500 go to #big-orders with the customer email and the total",
    ],
)
def test_an_email_field_sends_no_email(request_text: str) -> None:
    assert "email.send" not in drafted_actions(request_text)


def test_sending_to_their_email_still_sends() -> None:
    actions = drafted_actions(
        "when someone fills in the quote form, send the price list to their email"
    )
    assert "email.send" in actions
