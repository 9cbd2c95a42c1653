"""Who an app's event is about, in the card's words: the person who opened the ticket, the
customer who ordered, the person who signed up; a form's is the person who filled it in."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.describe import describe


def _spec(event: str, form: bool = False) -> dict[str, Any]:
    trigger: dict[str, Any] = {"type": "webhook", "event": event}
    if form:
        trigger["form"] = "Contact form"
    return {
        "name": "Thanks",
        "trigger": trigger,
        "steps": [
            {"id": "thank", "action": "email.send",
             "inputs": {"to": "{{ trigger.email }}", "subject": "Thank you", "text": "Thanks!"}},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("event", "who"),
    [
        ("a new ticket gets created", "the person who opened the ticket"),
        ("a new order comes in", "the customer who ordered"),
        ("someone signs up", "the person who signed up"),
    ],
)
def test_an_app_events_person_is_named_by_what_happened(event: str, who: str) -> None:
    assert describe(_spec(event)).summary.endswith(f"titled “Thank you” to {who}.")


def test_a_forms_person_filled_in_the_form() -> None:
    summary = describe(_spec("someone fills in the contact form", form=True)).summary
    assert summary.endswith("to the person who filled in the form.")
