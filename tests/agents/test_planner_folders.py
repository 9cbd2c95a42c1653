"""A new file in a storage folder starts the workflow: the folder is watched, nothing else read."""

from __future__ import annotations

import pytest

from agents.planner import draft
from workflows.describe_triggers import trigger_words


@pytest.mark.parametrize(
    ("request_text", "host", "folder"),
    [
        ("when a new file lands in our google drive 'Scans' folder, post it in #office",
         "googleapis.com/drive", "scans"),
        ("whenever someone drops a pdf into the Dropbox Quotes folder, tell #sales",
         "dropboxapi.com", "quotes"),
        ("new document in the onedrive folder called Minutes -> email me",
         "graph.microsoft.com", "minutes"),
    ],
)  # fmt: skip
def test_a_file_arriving_in_a_folder_is_a_poll_of_that_folder(
    request_text: str, host: str, folder: str
) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger["type"] == "poll"
    assert host in trigger["url"] and folder in trigger["url"]
    actions = [s["action"] for s in result.workflow["steps"]]
    assert "sheets.read_rows" not in actions
    assert not any(
        s["action"] == "http.request" and host.split("/")[0] in s["inputs"]["url"]
        for s in result.workflow["steps"]
    ), actions
    words = trigger_words(trigger)
    assert words.startswith("when a new file appears in the ") and f"“{folder}”" in words


def test_a_folder_as_a_destination_is_no_trigger() -> None:
    result = draft("every monday at 9 save the weekly leads report to our drive folder")
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "schedule"


def test_a_write_to_another_tool_after_the_folder_event_is_kept() -> None:
    result = draft("when a new file lands in our google drive folder, add a page for it in notion")
    assert result.workflow is not None
    urls = [s["inputs"].get("url", "") for s in result.workflow["steps"]]
    assert any("notion" in u for u in urls), urls
    assert "a Google Drive folder" in trigger_words(result.workflow["trigger"])
