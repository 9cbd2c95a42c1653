"""Reminders before a booked time: the booking starts it, each reminder waits for its lead."""

from __future__ import annotations

from agents.planner import draft
from workflows.spec import WorkflowSpec


def test_two_reminders_before_an_appointment_wait_for_each_lead() -> None:
    result = draft(
        "when a client books, email them 24 hours and again 2 hours before the appointment"
    )
    assert result.status == "draft" and result.workflow is not None
    workflow = result.workflow
    assert workflow["trigger"]["type"] == "webhook"
    assert workflow["name"] == "Appointment reminders"
    shape = [s.get("wait") or s["action"] for s in workflow["steps"]]
    assert shape == [
        "24 hours before {{ trigger.start_time }}",
        "email.send",
        "2 hours before {{ trigger.start_time }}",
        "email.send",
    ]
    first, second = (s for s in workflow["steps"] if s.get("action") == "email.send")
    assert first["inputs"]["to"] == "{{ trigger.email }}"
    assert first["inputs"]["subject"] == "Reminder: your appointment is in 24 hours"
    assert second["inputs"]["subject"] == "Reminder: your appointment is in 2 hours"
    WorkflowSpec.model_validate(workflow)
    assert result.summary is not None
    assert "wait until 1 day before the booking's start time" in result.summary
    assert "to the person who booked" in result.summary and "{{" not in result.summary
    assert "start_time" not in first["inputs"]["text"]  # the sample shows no raw field


def test_a_reminder_when_it_starts_waits_until_the_start() -> None:
    result = draft("email people 30 minutes before their call with me and again when it starts")
    assert result.workflow is not None
    waits = [s["wait"] for s in result.workflow["steps"] if s.get("wait")]
    assert waits == ["30 minutes before {{ trigger.start_time }}", "until {{ trigger.start_time }}"]
    subjects = [s["inputs"]["subject"] for s in result.workflow["steps"] if s.get("action")]
    assert subjects == ["Reminder: your call is in 30 minutes", "Reminder: your call starts now"]


def test_hours_before_without_anything_booked_is_no_booking() -> None:
    result = draft("post the open tickets in #support 2 hours before we close, every day at 3pm")
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "schedule"
    assert not any(s.get("wait") for s in result.workflow["steps"])


def test_a_shift_that_starts_in_hours_is_a_reminder_that_waits_for_it() -> None:
    for request in (
        "text each volunteer a reminder when their shift starts in 2 hours",
        "email the crew a reminder 2 hours before their shift starts",
    ):
        result = draft(request)
        assert result.workflow is not None, result.question
        workflow = result.workflow
        assert workflow["trigger"]["type"] == "webhook"
        waits = [s["wait"] for s in workflow["steps"] if s.get("wait")]
        assert waits == ["2 hours before {{ trigger.start_time }}"]  # no "starts now" one
        assert "shift" in str(workflow["steps"][1]["inputs"])
