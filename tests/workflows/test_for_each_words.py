"""A `for_each` step in words ("For each row of the sheet, …") and on sample data."""

from __future__ import annotations

from typing import Any

from workflows.describe import advanced_lines, step_sentences
from workflows.samples import NO_ITEMS, each_sample, preview


def each_spec(reader: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "name": "Weekly reminders",
        "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
        "steps": [
            reader,
            {
                "id": "remind",
                "action": "email.send",
                "for_each": source,
                "inputs": {
                    "to": "{{ item.email }}",
                    "subject": "Hello {{ item.name }}",
                    "text": "Hi {{ item.name }}, this is reminder {{ item_index + 1 }}.",
                },
            },
        ],
    }


SHEET = {"id": "read_rows", "action": "sheets.read_rows", "inputs": {"spreadsheet": "Invoices"}}
CONTACTS = {"id": "find", "action": "crm.find_contacts", "inputs": {}}


def test_a_for_each_step_reads_in_plain_words() -> None:
    sentences = step_sentences(each_spec(SHEET, "steps.read_rows.rows"))
    assert sentences[1].startswith("For each row of the sheet, email each one's name")
    assert sentences[1].endswith(" to each one's email address")
    contacts = step_sentences(each_spec(CONTACTS, "steps.find.contacts"))[1]
    assert contacts.startswith("For each contact found, email each one's name")
    assert "{{" not in contacts and "item" not in contacts


def test_the_technical_view_names_the_list() -> None:
    lines = advanced_lines(each_spec(SHEET, "steps.read_rows.rows"))
    assert lines[2].endswith("for each of steps.read_rows.rows")


def test_the_sample_message_is_the_first_items() -> None:
    message = preview(each_spec(CONTACTS, "steps.find.contacts"))["remind"]
    assert message.to == "each one's email address (jane@example.com)"
    assert message.subject == "Hello Jane Doe"
    assert message.body == "Hi Jane Doe, this is reminder 1."
    assert message.note is not None and "this is the first" in message.note


def test_an_empty_sample_list_says_nothing_would_be_sent() -> None:
    assert each_sample("steps.find.contacts", {"steps": {"find": {"contacts": []}}}) == (
        [],
        NO_ITEMS,
    )
    assert each_sample("steps.find.contacts", {"steps": {"find": {}}}) == ([], NO_ITEMS)
