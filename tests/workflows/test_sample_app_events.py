"""A draft's sample message for another app's event is rendered from what that app sends (a
merged pull request, a support ticket, a task), not from a sample form submission; forms,
orders and sign-ups keep the form sample."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.sample_triggers import sample_trigger
from workflows.samples import preview


def _spec(trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Tell the team",
        "trigger": trigger,
        "steps": [
            {
                "id": "tell",
                "action": "slack.post_message",
                "inputs": {"channel": "#team", "text": "It happened: {{ trigger | summary }}"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("trigger", "shows", "about"),
    [
        ({"type": "webhook", "event": "a PR gets merged"}, "Add dark mode", "pull request"),
        (
            {"type": "webhook", "source": "Freshdesk", "event": "a ticket is escalated"},
            "I can't log in",
            "support ticket",
        ),
        ({"type": "webhook", "event": "an asana task is completed"}, "SSL certificate", "task"),
    ],
)
def test_an_apps_event_is_sampled_as_what_that_app_sends(
    trigger: dict[str, Any], shows: str, about: str
) -> None:
    _payload, said = sample_trigger(trigger)
    assert about in said
    (message,) = preview(_spec(trigger)).values()
    assert shows in message.body, message.body
    assert "Doe Bakery" not in message.body and "pricing for a team" not in message.body


@pytest.mark.parametrize(
    "trigger",
    [
        {"type": "webhook"},
        {"type": "webhook", "event": "someone fills in the contact form"},
        {"type": "webhook", "event": "a new order comes in"},
    ],
)
def test_forms_and_events_of_no_known_kind_keep_the_form_sample(trigger: dict[str, Any]) -> None:
    (message,) = preview(_spec(trigger)).values()
    assert "Jane Doe" in message.body, message.body
