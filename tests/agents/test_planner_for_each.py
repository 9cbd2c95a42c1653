"""A scheduled "email each client …" is drafted once per record read, not to the trigger."""

from __future__ import annotations

from typing import Any

from agents.planner import draft
from agents.planner.each import each_item, each_record


def steps_of(request: str) -> list[dict[str, Any]]:
    result = draft(request)
    assert result.status == "draft" and result.workflow is not None
    steps: list[dict[str, Any]] = result.workflow["steps"]
    return steps


def test_each_volunteer_in_a_sheet_gets_their_own_email() -> None:
    steps = steps_of(
        "each sunday email every volunteer in the rota sheet the list of their shifts for the week"
    )
    assert [s["action"] for s in steps] == ["sheets.read_rows", "email.send"]
    read, send = steps
    assert send["for_each"] == f"steps.{read['id']}.rows"
    assert send["inputs"]["to"] == "{{ item.email }}"
    assert "trigger" not in str(send["inputs"])


def test_some_of_the_rows_are_not_looped_over_all_of_them() -> None:
    """ "each client with an unpaid invoice": every row of the sheet would get the reminder, the
    ones who paid too; the sheet read is not filtered yet, so nothing is looped."""
    steps = steps_of(
        "every monday at 9 email each client with an unpaid invoice in our Invoices sheet "
        "a reminder"
    )
    assert not [s for s in steps if s.get("for_each")]


def test_invoices_name_their_customer() -> None:
    raw: dict[str, Any] = {
        "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
        "steps": [
            {"id": "unpaid", "action": "stripe.list_invoices", "inputs": {}},
            {
                "id": "mail",
                "action": "email.send",
                "inputs": {"to": "{{ trigger.email }}", "text": "Hi {{ trigger.name }}"},
            },
        ],
    }
    each_record(raw)
    mail = raw["steps"][1]
    assert mail["for_each"] == "steps.unpaid.invoices"
    assert mail["inputs"] == {
        "to": "{{ item.customer_email }}",
        "text": "Hi {{ item.customer_name }}",
    }


def test_an_event_keeps_its_person() -> None:
    raw: dict[str, Any] = {
        "trigger": {"type": "webhook"},
        "steps": [
            {"id": "rows", "action": "sheets.read_rows", "inputs": {}},
            {"id": "mail", "action": "email.send", "inputs": {"to": "{{ trigger.email }}"}},
        ],
    }
    each_record(raw)
    assert "for_each" not in raw["steps"][1]
    assert raw["steps"][1]["inputs"]["to"] == "{{ trigger.email }}"


def test_a_step_on_each_record_repeats_over_the_list_read_before_it() -> None:
    """ "…/{{ item.id }}" with no `for_each` would fail when it runs: `item` is undefined."""
    result = draft("every saturday clear out the archived cards from our trello board")
    assert result.workflow is not None
    steps = result.workflow["steps"]
    assert [s["action"] for s in steps] == ["http.request", "http.request"]
    read, delete = steps
    assert delete["inputs"]["method"] == "DELETE" and "{{ item.id }}" in delete["inputs"]["url"]
    assert delete["for_each"] == f"steps.{read['id']}.json"
    assert result.approval_class == "C"
    assert "for each item fetched, ask Trello to delete it" in (result.summary or "")


def test_a_templates_own_loop_over_item_is_not_a_record() -> None:
    raw: dict[str, Any] = {
        "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
        "steps": [
            {"id": "read", "action": "sheets.read_rows", "inputs": {"spreadsheet": "Stock"}},
            {"id": "post", "action": "slack.post_message",
             "inputs": {"channel": "#ops",
                        "text": "{% for item in steps.read.rows %}{{ item.name }}{% endfor %}"}},
        ],
    }  # fmt: skip
    each_item(raw)
    assert "for_each" not in raw["steps"][1]
