"""A delete of CRM contacts deletes the ones asked for: every one when the request picks none,
the age or stage it names, and a question when it picks them by something the delete cannot
say ("who bounced"), never a narrower or wider set than asked."""

from __future__ import annotations

import pytest

from agents.planner import draft
from workflows.describe import summary


def _delete_inputs(request: str) -> tuple[str, dict[str, object], str | None]:
    result = draft(request)
    assert result.workflow is not None and result.approval_class == "C", result
    step = next(s for s in result.workflow["steps"] if s["action"] == "crm.delete_contacts")
    return result.status, step.get("inputs", {}), result.question


@pytest.mark.parametrize(
    ("request_text", "inputs"),
    [
        ("delete all contacts in our crm", {}),
        ("wipe every lead from the crm, we are starting over", {}),
        ("remove old contacts from the crm", {"inactive_for": "365 days"}),
        ("delete contacts in our crm not touched in 2 years", {"inactive_for": "730 days"}),
        ("every month delete leads tagged spam from the crm", {"stage": "spam"}),
    ],
)
def test_the_contacts_asked_for_are_deleted(request_text: str, inputs: dict[str, object]) -> None:
    status, drafted, _ = _delete_inputs(request_text)
    assert (status, drafted) == ("draft", inputs)


@pytest.mark.parametrize(
    "request_text",
    [
        "delete contacts who bounced from our crm",
        "delete the contacts in our crm that have no email",
    ],
)
def test_contacts_picked_by_what_the_delete_cannot_say_are_asked_about(request_text: str) -> None:
    status, drafted, question = _delete_inputs(request_text)
    assert status == "clarify" and drafted == {}
    assert question is not None and question.startswith("Which contacts should it delete")


def test_the_description_says_every_contact() -> None:
    result = draft("delete all contacts in our crm")
    assert result.workflow is not None
    assert "delete all CRM contacts" in summary(result.workflow)
