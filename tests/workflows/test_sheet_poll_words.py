"""The sheet poll in words and checks: spec validation, the describer, the sample row, the needs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from integrations.sheet_rows import row_values
from workflows.describe import describe
from workflows.needs import needed_connections, needs_sentence
from workflows.sample_triggers import sample_trigger
from workflows.spec import WorkflowSpec

EMAIL = {
    "id": "confirm",
    "action": "email.send",
    "inputs": {
        "to": "{{ trigger.email }}",
        "subject": "Your order {{ trigger.order }}",
        "text": "Hi {{ trigger.name }}, thanks for your order {{ trigger.order }} "
        "({{ trigger.total }}).",
    },
}


def spec(**trigger: Any) -> dict[str, Any]:
    return {"name": "Order confirmations", "trigger": {"type": "poll", **trigger}, "steps": [EMAIL]}


def test_a_poll_has_a_feed_or_a_whole_sheet_or_neither_with_a_mentions_step() -> None:
    WorkflowSpec.model_validate(spec(spreadsheet="Orders", sheet="Orders"))
    WorkflowSpec.model_validate(spec(url="https://example.org/feed.xml"))
    with pytest.raises(ValidationError, match="needs both the spreadsheet and the sheet"):
        WorkflowSpec.model_validate(spec(spreadsheet="Orders"))
    with pytest.raises(ValidationError, match="needs both the spreadsheet and the sheet"):
        WorkflowSpec.model_validate(spec(sheet="Orders"))
    with pytest.raises(
        ValidationError,
        match=r"a feed \(url\) or a Google Sheet \(spreadsheet and sheet\), not both",
    ):
        WorkflowSpec.model_validate(
            spec(url="https://example.org/feed.xml", spreadsheet="Orders", sheet="Orders")
        )
    with pytest.raises(ValidationError, match="a poll needs a feed address or a mentions step"):
        WorkflowSpec.model_validate(spec())
    schema = WorkflowSpec.model_json_schema()
    poll = schema["$defs"]["PollTrigger"]["properties"]
    assert {"spreadsheet", "sheet", "url"} <= set(poll)


def test_the_describer_says_which_sheet_how_often_and_what_the_first_check_does() -> None:
    described = describe(spec(spreadsheet="Orders", sheet="Orders", interval_seconds=900))
    assert described.trigger == "when a row is added to the Orders sheet (checked every 15 minutes)"
    assert described.summary.startswith(
        "When a row is added to the Orders sheet (checked every 15 minutes), Levqor will email"
    )
    assert "first check after approval only notes the rows already in the sheet" in (
        described.summary
    )
    message = described.steps[0].message
    assert message is not None
    assert message.body == "Hi Jane Doe, thanks for your order 1042 (£9.50)."
    assert message.subject == "Your order 1042"
    assert "jane.doe@example.com" in message.to
    assert "[" not in message.body  # every field the message uses is in the sample row
    feed = describe(spec(url="https://example.org/feed.xml"))
    assert "first check" not in feed.summary


def test_the_sample_row_is_an_order_keyed_by_header_names() -> None:
    payload, about = sample_trigger({"type": "poll", "spreadsheet": "Orders", "sheet": "Orders"})
    assert about == "a sample new row of the sheet"
    assert payload["email"] == "jane.doe@example.com" and payload["order"] == "1042"
    assert "items" not in payload


def test_a_sheet_poll_needs_google_sheets_connected() -> None:
    watched = spec(spreadsheet="Orders", sheet="Orders")
    assert needed_connections(watched) == ["google"]
    assert needed_connections(spec(url="https://example.org/feed.xml")) == []
    sentence = needs_sentence(watched, "https://levqor.test")
    assert sentence == (
        "It needs Google Sheets connected: connect it on the Connections page "
        "(https://levqor.test/connections#google)."
    )


def test_the_watched_sheet_is_named_as_people_name_it() -> None:
    def words(**trigger: Any) -> str:
        return describe(spec(**trigger)).trigger

    assert words(spreadsheet="Orders", sheet="Sheet1", interval_seconds=300) == (
        "when a row is added to the Orders sheet (checked every 5 minutes)"
    )
    assert words(spreadsheet="Studio", sheet="Bookings", interval_seconds=3600) == (
        "when a row is added to the Bookings tab of the Studio sheet (checked every hour)"
    )
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/edit"
    assert words(spreadsheet=url, sheet="Orders") == (
        "when a row is added to the Orders sheet (checked every 15 minutes)"
    )


def test_row_values_keep_the_headers_and_add_snake_case_names() -> None:
    header = ["Order #", "Email Address", "name", "Name", ""]
    values = row_values(header, ["1042", "jane@example.com", "jane", "Jane Doe", "x"])
    assert values == {
        "Order #": "1042",
        "Email Address": "jane@example.com",
        "name": "jane",  # a header already called that keeps its own cell
        "Name": "Jane Doe",
        "order": "1042",
        "email_address": "jane@example.com",
    }
    assert row_values(["a", "b"], ["1"]) == {"a": "1", "b": ""}
