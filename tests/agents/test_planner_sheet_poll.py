"""Planner: "a row added to a sheet" starts on a poll of that sheet (no placeholder feed, no step
that reads the sheet again); "a new file in a Drive folder" gets a question that says it is not
available yet and offers a sheet or a form/webhook."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from workflows.describe import describe
from workflows.needs import needed_connections


def drafted(request: str) -> dict[str, Any]:
    result = draft(request)
    assert result.status == "draft", (result.status, result.question, result.reason)
    assert result.workflow is not None
    return result.workflow


@pytest.mark.parametrize(
    ("request_text", "spreadsheet", "sheet"),
    [
        (
            "when a new row is added to the Orders google sheet, email the customer a confirmation",
            "Orders",
            "Sheet1",
        ),
        ("When someone adds a row to our 'Leads' sheet, post it in #sales", "Leads", "Sheet1"),
        (
            "new entries in the Bookings tab of our Bookings spreadsheet should be emailed to me",
            "Bookings",
            "Bookings",
        ),
        ("whenever rows get added to our inventory spreadsheet ping #ops", "Inventory", "Sheet1"),
    ],
)
def test_rows_added_to_a_named_sheet_start_on_a_poll_of_that_sheet(
    request_text: str, spreadsheet: str, sheet: str
) -> None:
    workflow = drafted(request_text)
    assert workflow["trigger"] == {
        "type": "poll",
        "spreadsheet": spreadsheet,
        "sheet": sheet,
        "interval_seconds": 900,
    }
    actions = [s["action"] for s in workflow["steps"]]
    assert "sheets.read_rows" not in actions and "sheets.append_row" not in actions
    assert "rss.new_items" not in actions and "http.request" not in actions
    assert "example.com" not in str(workflow)
    assert needed_connections(workflow) == ["google"]
    words = describe(workflow)
    assert words.trigger.startswith("when a row is added to the ")
    assert "first check after approval only notes the rows already in the sheet" in words.summary


def test_the_customer_confirmation_goes_to_the_row_s_email_in_words() -> None:
    workflow = drafted(
        "when a new row is added to the Orders google sheet, email the customer a confirmation"
    )
    (email,) = workflow["steps"]
    assert email["action"] == "email.send"
    assert email["inputs"]["to"] == "{{ trigger.email }}"
    assert email["inputs"]["subject"] == "We have received your order"
    message = describe(workflow).steps[0].message
    assert message is not None and "jane.doe@example.com" in message.to
    assert "Thank you: we have received your order." in message.body
    assert "Jane Doe" in message.body and "[" not in message.body
    assert "first check only notes the rows already in the sheet" in workflow["description"]


def test_a_slack_post_names_the_sheet_and_shows_the_row() -> None:
    workflow = drafted("When someone adds a row to our 'Leads' sheet, post it in #sales")
    (post,) = workflow["steps"]
    assert post["inputs"] == {
        "channel": "#sales",
        "text": "New row in the Leads sheet:\n{{ trigger | summary }}",
    }


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday email me the new rows in the sales sheet",  # a clock: a weekly digest
        "when a form is submitted add a new row to the Leads sheet",  # the sheet is written
    ],
)
def test_other_sheet_requests_are_not_sheet_polls(request_text: str) -> None:
    trigger = (draft(request_text).workflow or {}).get("trigger", {})
    assert not trigger.get("sheet")


@pytest.mark.parametrize(
    "request_text",
    [
        "when a new file is added to our Google Drive folder, post in #team",
        "watch our Google Drive folder for new files and post them in #team",
        "when someone uploads a file to our shared Google Drive folder, let me know in #ops",
    ],
)
def test_a_new_file_in_a_drive_folder_is_not_available_yet(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify"
    assert result.question is not None
    assert result.question.startswith("Levqor can't watch a Google Drive folder for new files yet")
    assert "Google Sheet" in result.question and "webhook" in result.question
    assert result.suggestions == [
        "When a row is added to a Google Sheet",
        "When a form or another app sends the file's details",
    ]
    trigger = (result.workflow or {}).get("trigger", {})
    assert trigger.get("type") != "poll" and "example.com/feed" not in str(result.workflow)
