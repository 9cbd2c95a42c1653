"""WorkflowSpec validation: good specs pass, bad ones name the step and the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from integrations.durations import parse_duration
from workflows.spec import WorkflowSpec


def spec(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Lead alert",
        "trigger": {"type": "webhook"},
        "steps": [
            {
                "id": "save",
                "action": "crm.upsert_contact",
                "inputs": {"email": "{{ trigger.email }}"},
            },
            {
                "id": "tell",
                "action": "slack.post_message",
                "inputs": {"channel": "#sales", "text": "New lead {{ steps.save.contact_id }}"},
            },
        ],
    }
    base.update(overrides)
    return base


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        WorkflowSpec.model_validate(data)
    return str(info.value)


def test_valid_spec_lists_its_integrations() -> None:
    parsed = WorkflowSpec.model_validate(spec())
    assert parsed.integrations() == ["crm", "slack"]
    assert parsed.trigger.type == "webhook"


@pytest.mark.parametrize(
    ("trigger", "fragment"),
    [
        ({"type": "schedule", "cron": "0 9 * *", "timezone": "UTC"}, "must have 5 fields"),
        ({"type": "schedule", "cron": "0 25 * * *", "timezone": "UTC"}, "cron"),
        (
            {"type": "schedule", "cron": "0 9 * * 1", "timezone": "Mars/Base"},
            "unknown IANA timezone",
        ),
        ({"type": "interval", "seconds": 0}, "greater than or equal to 1"),
        ({"type": "poll", "url": "ftp://x"}, "should match pattern"),
        ({"type": "stripe", "events": []}, "at least 1 item"),
        ({"type": "carrier_pigeon"}, "does not match any of the expected tags"),
    ],
)
def test_bad_triggers_are_explained(trigger: dict[str, Any], fragment: str) -> None:
    assert fragment in errors_of(spec(trigger=trigger))


def test_reference_to_a_later_step_names_step_and_field() -> None:
    data = spec()
    data["steps"][0]["inputs"]["name"] = "{{ steps.tell.ts }}"
    message = errors_of(data)
    assert "steps[0] (save).inputs.name" in message and "'tell'" in message


def test_duplicate_step_ids_and_bad_actions() -> None:
    data = spec()
    data["steps"][1]["id"] = "save"
    assert "duplicate step id" in errors_of(data)
    data = spec()
    data["steps"][1]["action"] = "post a message"
    assert "steps.1.action" in errors_of(data)


def test_step_needs_exactly_one_of_action_or_wait() -> None:
    data = spec()
    data["steps"].append({"id": "both", "action": "slack.post_message", "wait": "2 days"})
    assert "exactly one of `action` or `wait`" in errors_of(data)


def test_wait_steps_parse_human_durations() -> None:
    data = spec()
    data["steps"].insert(1, {"id": "pause", "wait": "2 days"})
    parsed = WorkflowSpec.model_validate(data)
    assert parsed.steps[1].wait_seconds == 2 * 86400
    assert parse_duration("1h 30m") == 5400
    data["steps"][1]["wait"] = "a while"
    assert "not a duration" in errors_of(data)


def test_unsafe_or_broken_conditions_are_rejected() -> None:
    data = spec()
    data["steps"][1]["when"] = "trigger.amount >"
    assert "invalid condition" in errors_of(data)


def test_cron_weekday_seven_means_sunday() -> None:
    parsed = WorkflowSpec.model_validate(
        spec(trigger={"type": "schedule", "cron": "0 9 * * 7", "timezone": "Europe/London"})
    )
    assert parsed.trigger.type == "schedule"


def test_waits_are_capped_at_a_year_but_durations_reach_years() -> None:
    data = spec()
    data["steps"].insert(1, {"id": "pause", "wait": "2 years"})
    assert "longer than 366 days" in errors_of(data)
    assert parse_duration("2 years") == 2 * 365 * 86400
