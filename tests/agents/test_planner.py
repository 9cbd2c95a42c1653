"""The offline planner on requests written for these tests: trigger, cron, zone, tools, class."""

from __future__ import annotations

from typing import Any

import pytest

from agents.evaluation import integrations_of
from agents.planner import draft
from integrations.catalog import default_registry
from tests.agents.own_cases import OWN_CASES
from workflows.spec import WorkflowSpec


@pytest.mark.parametrize("case", OWN_CASES, ids=[c["request"][:40] for c in OWN_CASES])
def test_own_requests_are_read_like_a_person_would(case: dict[str, Any]) -> None:
    result = draft(case["request"])
    assert result.status == case["expect"], result.question or result.reason
    assert result.approval_class == case["approval_class"]
    assert result.workflow is not None
    trigger = result.workflow["trigger"]
    assert trigger["type"] == case["trigger"]
    assert trigger.get("cron") == case["schedule"]
    assert result.timezone == case["timezone"]
    if case["expect"] == "draft":
        assert integrations_of(result) == set(case["integrations"])


@pytest.mark.parametrize("case", OWN_CASES, ids=[c["request"][:40] for c in OWN_CASES])
def test_every_step_uses_a_catalogue_action_with_its_declared_inputs(case: dict[str, Any]) -> None:
    result = draft(case["request"])
    assert result.workflow is not None
    if result.workflow["steps"] == []:  # a question asked before any step was asked for
        assert result.status == "clarify", result
        return
    spec = WorkflowSpec.model_validate(result.workflow)
    registry = default_registry()
    for step in spec.steps:
        if step.action is None:
            continue
        fields = registry.get(step.action).input_model.model_fields
        declared = set(fields) | {f.alias for f in fields.values() if f.alias}
        assert set(step.inputs) <= declared, (step.action, set(step.inputs) - declared)


def test_schedule_without_a_named_zone_runs_in_utc_and_reports_none() -> None:
    result = draft("every weekday at 7am post yesterday's stripe sales figures in #finance")
    assert result.workflow is not None
    assert result.workflow["trigger"] == {
        "type": "schedule",
        "cron": "0 7 * * 1-5",
        "timezone": "UTC",
    }
    assert result.timezone is None


def test_emailing_me_is_internal_but_emailing_the_lead_is_external() -> None:
    mine = draft("every friday at 5pm email me a report of this week's new leads from hubspot")
    theirs = draft("when someone books a demo through our form, email the lead a confirmation")
    assert mine.approval_class == "A"
    assert theirs.approval_class == "B"
    assert theirs.workflow is not None
    sends = [s for s in theirs.workflow["steps"] if s["action"] == "email.send"]
    assert sends and sends[0]["inputs"]["to"] == "{{ trigger.email }}"


def test_drip_emails_wait_between_sends() -> None:
    result = draft(
        "when a new stripe subscription starts, send a welcome email, then tips on day 3 and day 10"
    )
    assert result.workflow is not None
    waits = [s["wait"] for s in result.workflow["steps"] if "wait" in s]
    assert waits == ["3 days", "7 days"]


def test_fetching_metrics_is_a_read_and_posting_from_our_account_is_external() -> None:
    read = draft(
        "every 10 minutes call our /queue endpoint and alert #ops if the backlog is over 500"
    )
    write = draft(
        "when our brand is mentioned on mastodon, have AI draft a reply "
        "and post it from our account"
    )
    assert read.approval_class == "A"
    assert write.approval_class == "B"


def test_not_sending_keeps_a_reply_workflow_internal() -> None:
    result = draft(
        "for mail to help@, have AI write a reply but do not send it; post it in #drafts"
    )
    assert result.workflow is not None
    assert "email.send" not in [s.get("action") for s in result.workflow["steps"]]
    assert result.approval_class == "A"
