"""Conditions on time passing or on a reading are looked at on a clock: a ticket with no reply
for 48 hours (hourly), a probation ending in 7 days (daily), CPU above 90 % (a check every few
minutes). Before, the first two started on an event that never comes and the last by hand."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft


def _trigger(request_text: str) -> dict[str, Any]:
    result = draft(request_text)
    assert result.workflow is not None
    return dict(result.workflow["trigger"])


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("email the agent when a ticket has had no reply for 24 hours", "0 * * * *"),
        ("chats that haven't been answered in 2 hours go to #support-leads", "0 * * * *"),
        ("remind the manager by email when someone's probation ends in 7 days", "0 9 * * *"),
        ("tell me when a deal has no activity for 3 weeks", "0 9 * * *"),
    ],
)
def test_time_passing_is_checked_on_a_clock(request_text: str, cron: str) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "schedule", trigger
    assert trigger["cron"] == cron


def test_a_reading_over_a_threshold_is_checked_every_few_minutes() -> None:
    trigger = _trigger("alert #ops when disk usage on the db server goes over 85%")
    assert trigger["type"] == "interval"


def test_pinging_our_discord_posts_to_discord_not_email() -> None:
    result = draft("ping our discord when a new order over $300 comes in")
    assert result.workflow is not None
    actions = [(s["action"], str(s["inputs"].get("url", ""))) for s in result.workflow["steps"]]
    assert any(a == "http.request" and "discord" in url for a, url in actions), actions
    assert not any(a == "email.send" for a, _ in actions)


def test_the_board_is_the_owners() -> None:
    result = draft("every quarter send the board a revenue summary from stripe")
    assert result.status == "draft", result.question
    assert result.workflow is not None
    to = [s["inputs"]["to"] for s in result.workflow["steps"] if s["action"] == "email.send"]
    assert to and all("member:owners" in t for t in to)


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("if a zendesk ticket sits 24 hours with no agent reply, email the team lead", "schedule"),
        ("archive the project channels 14 days after theyre closed", "schedule"),
        ("email me when the last person has signed the contract", "webhook"),
        ("once i close a survey, email everybody who answered the results", "webhook"),
        ("when our quarterly plan is approved post it in #leadership", "webhook"),
        ("tell #ops when the api healthcheck fails and again when it recovers", "interval"),
        ("when a customer's card keeps failing, email them a link to update it", "stripe"),
    ],
)
def test_states_and_checks_said_plainly_start_the_workflow(request_text: str, kind: str) -> None:
    assert _trigger(request_text)["type"] == kind
