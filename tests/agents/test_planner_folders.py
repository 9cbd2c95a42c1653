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


def test_a_folder_as_a_destination_is_no_trigger() -> None:
    result = draft("every monday at 9 save the weekly leads report to our drive folder")
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "schedule"
