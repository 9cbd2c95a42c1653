"""Filling in a stand-in address by saying it: which messages do, and what they change."""

from __future__ import annotations

from typing import Any

import pytest

from agents.intents import classify
from agents.planner import draft
from agents.revise import address_question, revise
from workflows.stand_ins import stand_in_steps


def drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.workflow is not None
    return result.workflow


@pytest.mark.parametrize(
    "message",
    [
        "the helpdesk address is https://helpdesk.acme.io/api/tickets",
        "https://helpdesk.acme.io/api/tickets",
        "use https://helpdesk.acme.io/api/tickets for it",
        "it's at https://helpdesk.acme.io/api/tickets",
    ],
)
def test_an_address_given_for_the_draft_is_a_revision(message: str) -> None:
    assert classify(message, has_draft=True).kind == "revise"


@pytest.mark.parametrize(
    "message",
    [
        "every hour check https://status.acme.io and alert #ops if it's down",
        "when a form is submitted post it to https://hooks.acme.io/in and tell #sales",
    ],
)
def test_a_whole_new_request_with_an_address_is_still_a_request(message: str) -> None:
    assert classify(message, has_draft=True).kind == "draft"


def test_every_step_of_the_one_tool_gets_the_address_and_the_rest_stays() -> None:
    spec = drafted("every friday sync new contacts from pipedrive to notion")
    assert len(stand_in_steps(spec)) == 2
    revision = revise(spec, "the notion api is https://api.notion.com/v1/pages")
    assert revision is not None
    assert revision.changes == ["the Notion steps now call https://api.notion.com/v1/pages"]
    assert not stand_in_steps(revision.spec)
    assert revision.spec["trigger"] == spec["trigger"]  # "v1" is no time, ".com" no channel
    kept = [s for s in revision.spec["steps"] if s["action"] != "http.request"]
    assert kept == [s for s in spec["steps"] if s["action"] != "http.request"]


def test_a_per_record_stand_in_keeps_its_record_part() -> None:
    spec = {
        "name": "Delete old files",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "delete", "action": "http.request",
             "inputs": {"method": "DELETE", "url": "https://api.drive.example/{{ item.id }}"}},
        ],
    }  # fmt: skip
    revision = revise(spec, "the address is https://files.acme.io/api/files/")
    assert revision is not None
    assert (
        revision.spec["steps"][0]["inputs"]["url"]
        == "https://files.acme.io/api/files/{{ item.id }}"
    )


def test_with_several_tools_the_message_names_one_or_is_asked_which() -> None:
    spec = drafted(
        "when a deal is won in hubspot add a row to our airtable base and create a trello card"
    )
    assert revise(spec, "the address is https://api.acme.io/rows") is None
    question = address_question(spec, "the address is https://api.acme.io/rows")
    assert question is not None and question.startswith("Which step is that address for:")
    revision = revise(spec, "the trello address is https://api.trello.com/1/cards")
    assert revision is not None
    assert revision.changes == ["the Trello step now calls https://api.trello.com/1/cards"]
    assert [host for _, host in stand_in_steps(revision.spec)] == [
        "https://api.airtable.example/v1"
    ]


def test_without_a_stand_in_an_address_changes_nothing() -> None:
    spec = drafted("every hour check https://status.acme.io and alert #ops if it's down")
    assert not stand_in_steps(spec)
    assert revise(spec, "the address is https://status.acme.io/health") is None
    assert address_question(spec, "the address is https://status.acme.io/health") is None
