"""A backup or copy "to Google Drive", "into the Backups folder on drive" writes there: before,
the draft fetched from Drive and wrote nothing (class A, quietly the other way round)."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    ("request_text", "host"),
    [
        ("nightly backup of the orders database to google drive at 2am", "google-drive"),
        ("every friday copy the timesheet into the Archive folder on drive", "drive"),
        ("each evening archive the day's invoices to our dropbox", "dropbox"),
    ],
)
def test_a_backup_or_copy_to_a_storage_tool_writes_there(request_text: str, host: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None, result.question
    calls = [s["inputs"] for s in result.workflow["steps"] if s["action"] == "http.request"]
    writes = [c for c in calls if c["method"] != "GET"]
    assert [f"api.{host}.example" in c["url"] for c in writes] == [True]  # one tool, written once
    assert not [c for c in calls if c["method"] == "GET" and host in c["url"]]
    assert result.approval_class == "B"
