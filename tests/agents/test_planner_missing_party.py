"""Clarify only when a step needs a party the request never names, with choices to pick from."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "email the churn numbers every monday at 10",
        "every evening at 6 email the day's bookings summary",
    ],
)
def test_a_scheduled_email_with_nobody_named_asks_who_gets_it(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify", result
    assert result.question and result.question.startswith("Who should get it")
    assert result.suggestions and len(result.suggestions) >= 2


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday at 10 email me the churn numbers",
        "every monday at 10 email our accountant the churn numbers",
        "every monday at 10 email each client their open invoices",
    ],
)
def test_a_named_recipient_or_class_of_people_is_drafted(request_text: str) -> None:
    assert draft(request_text).status == "draft"


def test_rows_from_no_named_sheet_ask_which_sheet() -> None:
    result = draft("copy the new rows over to hubspot")
    assert result.status == "clarify", result
    assert result.question == "Which spreadsheet (and tab) are the rows in?"
    assert result.suggestions


@pytest.mark.parametrize(
    "request_text",
    [
        "copy the new rows in the Signups sheet over to hubspot",
        "when a row in 'Renewals' is marked done, post it in #accounts",
    ],
)
def test_a_named_sheet_or_table_is_enough(request_text: str) -> None:
    result = draft(request_text)
    assert result.question != "Which spreadsheet (and tab) are the rows in?", result


@pytest.mark.parametrize(
    "request_text",
    [
        "every quarter email our shareholders the revenue numbers",
        "each monday email our bookkeeper last week's receipts from the Receipts sheet",
    ],
)
def test_a_recipient_named_by_sentence_shape_is_enough(request_text: str) -> None:
    assert draft(request_text).status == "draft"
