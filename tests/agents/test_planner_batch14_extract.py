"""Fields taken out of mail (batch14 round), in wording written for these tests: "pull the …, …
and … out of each one" is an AI extraction of those fields; a mailbox at the end of a sentence
keeps no full stop."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    [
        "when a supplier invoice email arrives, get the invoice number, amount and due date out "
        "of it and add a row to the payables sheet",
        "booking requests come in as emails to events@. pull the date, guest count and budget out "
        "of each one and post them in #events",
    ],
)
def test_fields_taken_out_of_each_mail_are_extracted(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    actions = [s.get("action") for s in result.workflow["steps"]]
    assert "ai.extract" in actions


def test_a_mailbox_ending_a_sentence_keeps_no_full_stop() -> None:
    result = draft("quotes arrive as emails to sales@. post each one in #sales")
    assert result.workflow is not None
    assert result.workflow["trigger"].get("address") == "sales@"
