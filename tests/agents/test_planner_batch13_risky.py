"""Risky acts no rule drafts a dedicated step for (trash mail in a mailbox, pay back claims, top
up a balance, load everyone into another tool): drafted class C with a step that does the act,
named in plain words, for an owner to confirm, instead of refused for want of a step. Mentions
that only look like acts ("a link to pay the invoice", "ignore deletes", "pay attention") stay
what they were."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from integrations.base import Risk
from integrations.catalog import default_registry


def _critical_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    registry = default_registry()
    return [
        s
        for s in workflow["steps"]
        if s.get("action") in registry
        and registry.get(s["action"]).risk_of(s.get("inputs", {})) == Risk.critical
    ]


@pytest.mark.parametrize(
    "request_text",
    [
        "every hour, erase everything older than a day",
        "throw away all the marketing mails in our shared outlook inbox, the whole lot",
        "whenever a partner closes a sale, top up their wallet balance in our app by 10%",
        "send the stripe customer list to our partner's API every night",
        "each quarter settle every outstanding travel claim: pay back all of them to the staff",
    ],
)
def test_a_risky_act_with_no_dedicated_step_is_drafted_class_c(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class == "C", result
    assert result.workflow is not None
    risky = _critical_steps(result.workflow)
    assert risky, result.workflow
    named = [str(s.get("name", "")) for s in risky if s["inputs"].get("impact")]
    assert all("_" not in n and "{" not in n for n in named)  # plain words, no ids


@pytest.mark.parametrize(
    "request_text",
    [
        "when an invoice goes overdue, email the client a reminder with a link to pay the invoice",
        "new comments on our github issues -> #dev, skip bot comments and ignore edits/deletes",
        "pay attention to new trustpilot reviews and post them in #cx",
    ],
)
def test_words_that_only_look_like_risky_acts_are_drafted_as_asked(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.approval_class != "C", result
