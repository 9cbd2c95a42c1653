"""One list of tool names (agents.planner.tools) serves tool look-ups, API steps and deletes."""

from __future__ import annotations

from agents.planner import draft, model_steps
from agents.planner.text import normalise
from agents.planner.tools import first_named_tool, named_external_tools


def test_product_names_are_read_strictly_and_everyday_names_only_when_loose() -> None:
    text = normalise("save the invoice pdf to drive and text me when airtable has a new row")
    assert named_external_tools(text) == ["airtable"]
    assert named_external_tools(text, loose=True) == ["airtable", "drive", "twilio"]


def test_the_first_named_tool_is_the_leftmost_of_either_kind() -> None:
    assert first_named_tool(normalise("remove the files from dropbox, then tell notion")) == (
        "dropbox"
    )
    assert first_named_tool(normalise("clear out the old posts on instagram")) == "instagram"
    assert first_named_tool(normalise("post the numbers in #sales")) is None


def test_no_planner_module_keeps_its_own_tool_list() -> None:
    assert not hasattr(model_steps, "_TOOL_WORDS")


def test_a_delete_in_a_tool_named_by_an_everyday_word_is_drafted_as_class_c() -> None:
    result = draft("every sunday delete files older than 90 days from our drive backups folder")
    assert result.workflow is not None
    deletes = [s for s in result.workflow["steps"] if s.get("inputs", {}).get("method") == "DELETE"]
    assert deletes and "drive" in deletes[0]["inputs"]["url"]
    assert result.approval_class == "C" or result.status == "refuse"
