"""What starts a workflow (batch16 round), in wording written for these tests: a cap counted
per person ("at most once every 24h per customer") is no schedule, and how long since something
happened, counted in days ("nobody has posted for a month", "still not sent a day later"), is
looked at daily."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        (
            "telegram auto-reply when someone messages us after hours, "
            "no more than once every 12h per customer",
            "webhook",
        ),
        (
            "auto reply to mail in my inbox while i'm on leave, "
            "just one reply per sender every 2 days",
            "email",
        ),
    ],
)
def test_a_cap_counted_per_person_is_no_schedule(request_text: str, kind: str) -> None:
    assert drafted_trigger(request_text)["type"] == kind


@pytest.mark.parametrize(
    "request_text",
    [
        "if no one has published anything on our news page for two weeks, slack me a reminder",
        "when a client has booked the intro call but still hasn't paid the deposit 2 days later, "
        "email them a nudge",
    ],
)
def test_days_since_something_happened_are_looked_at_daily(request_text: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * *"


@pytest.mark.parametrize(
    "request_text",
    [
        "prices go up next month. move every subscriber on the starter plan to the new price "
        "in stripe, keep their next billing date and let them know by email",
        "change every subscription on the basic plan to the new rate in stripe but keep their "
        "billing date",
    ],
)
def test_a_price_change_for_everyone_is_done_once(request_text: str) -> None:
    assert drafted_trigger(request_text)["type"] == "manual"
