"""A new file in a storage folder: nothing in Levqor can watch one yet, so the assistant says so,
naming the service, and offers what can start it instead; a folder as a destination is no
trigger."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    ("request_text", "service"),
    [
        ("when a new file lands in our google drive 'Scans' folder, post it in #office",
         "a Google Drive folder"),
        ("whenever someone drops a pdf into the Dropbox Quotes folder, tell #sales",
         "a Dropbox folder"),
        ("when a new document is added to the onedrive folder called Minutes, email me",
         "a OneDrive folder"),
        ("when a pdf is uploaded to the s3 bucket reports, post in #data", "an Amazon S3 folder"),
        ("when new invoices are uploaded to our dropbox folder, email me", "a Dropbox folder"),
        ("when a receipt is saved to the Expenses folder in google drive, post in #finance",
         "a Google Drive folder"),
        ("when new csvs land in our s3 bucket, email me", "an Amazon S3 folder"),
        ("when a new contract arrives in the box folder Legal, tell #legal", "a Box folder"),
    ],
)  # fmt: skip
def test_a_file_arriving_in_a_folder_is_said_to_be_unavailable(
    request_text: str, service: str
) -> None:
    result = draft(request_text)
    assert result.status == "clarify"
    assert result.question is not None
    assert result.question.startswith(f"Levqor can't watch {service} for new files yet")
    assert result.suggestions and "When a row is added to a Google Sheet" in result.suggestions
    assert "example.com" not in str(result.workflow)
    assert result.workflow is not None and result.workflow["trigger"]["type"] != "poll"


def test_a_folder_as_a_destination_is_no_trigger() -> None:
    result = draft("every monday at 9 save the weekly leads report to our drive folder")
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "schedule"


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday email me the invoices saved in our drive folder",
        "when an invoice is added to xero, email me and save it to google drive",
    ],
)
def test_papers_kept_in_a_folder_or_saved_to_one_ask_no_folder_question(request_text: str) -> None:
    result = draft(request_text)
    assert "can't watch" not in (result.question or "")
