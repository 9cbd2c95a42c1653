"""The risk model and the owner's check it puts on drafts that look harmless but read as risky."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from agents import risk_check
from agents.learned import risk
from agents.learned.dataset import DatasetError
from agents.learned.model import ModelFileError
from agents.learned.risk import (
    FALSE_ALARMS,
    RISK_PATH,
    RISK_SETS,
    RiskExample,
    RiskTrain,
    fit_risk,
    load_risk,
    read_risk_examples,
    shipped_risk,
)
from agents.llm_catalogue import TOOL_NAME
from agents.llm_drafter import LLMDrafter
from agents.planner import draft
from bot.cli.drafter import register
from integrations.catalog import default_registry
from tests.agents.test_llm_drafter import answer, llm_settings
from tests.fakes.openai_server import ScriptedOpenAI
from workflows.policy import assess
from workflows.spec import WorkflowSpec

REGISTRY = default_registry()
SETS = Path(__file__).parent
# Worded so that no rule drafts the risky act: the steps drafted for it are class B.
CHURN = (
    "when a customer churns in chargebee, zero out their account credit in chargebee and email them"
)
ORDINARY = [
    "every monday email me the weekly leads report",
    "when someone fills in the contact form add them to hubspot and post in #sales",
    "every morning at 8 post yesterday's signups in #growth",
    "send a thank you email to new stripe customers",
]


def test_the_shipped_risk_model_is_small_and_was_calibrated_on_our_tuning_sets() -> None:
    assert RISK_PATH.stat().st_size < 200_000
    model = load_risk()
    assert model.version.startswith("risk-1-")
    assert set(model.meta["sets"]) == set(RISK_SETS)
    scoring_only = {"unseen", "batch_templates2", "batch9", "batch11", "batch15", "batch22"}
    scoring_only |= {"batch24", "batch25", "batch27", "batch29", "batch31", "batch33"}
    assert not scoring_only & set(RISK_SETS)
    assert 0.3 < model.threshold < 0.95
    # at most 3 in 100 ordinary requests of a left-out set flagged (FALSE_ALARMS), and most
    # risky ones caught
    assert FALSE_ALARMS["risky"] == 0.03
    assert model.meta["held_out_false_alarms"] <= 0.031
    assert model.meta["held_out_recall"] > 0.85


def test_risky_wording_scores_above_the_threshold_and_plain_jobs_below() -> None:
    model = shipped_risk()
    for request in ORDINARY:
        assert model.probability(request) < model.threshold, request
    assert model.probability(CHURN) >= model.threshold
    assert (
        model.probability(
            "every sunday night sweep whatever is left in the stripe balance out to our bank"
        )
        >= model.threshold
    )


def test_a_draft_that_reads_as_risky_is_put_before_an_owner_with_the_reason() -> None:
    result = draft(CHURN, REGISTRY)
    assert result.status == "draft" and result.approval_class == "C"
    assert result.workflow is not None
    check = result.workflow["owner_check"]
    assert "could move money" in check and "no step here is marked" in check
    spec = WorkflowSpec.model_validate(result.workflow)
    assessment = assess(spec, REGISTRY)
    assert assessment.approval_class == "C" and check in assessment.reasons
    # without the check the same steps are class B: the check alone raised it
    assert assess(spec.model_copy(update={"owner_check": None}), REGISTRY).approval_class == "B"


@pytest.mark.parametrize("request_text", ORDINARY)
def test_ordinary_requests_get_no_owner_check(request_text: str) -> None:
    result = draft(request_text, REGISTRY)
    assert result.workflow is not None and "owner_check" not in result.workflow
    assert result.approval_class in ("A", "B")


def test_without_a_readable_model_the_rules_class_stands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "risk_model.npz"
    broken.write_bytes(b"not a model")
    monkeypatch.setattr(risk, "RISK_PATH", broken)
    with pytest.raises(ModelFileError):
        shipped_risk()
    result = draft(CHURN, REGISTRY)
    assert result.approval_class == "B" and "owner_check" not in (result.workflow or {})


def test_the_reason_names_what_the_words_put_at_stake() -> None:
    assert "delete, cancel or overwrite things" in risk_check.owner_check_reason(
        "tidy up slack, deactivate everybody marked as left"
    )
    assert "handle passwords or keys" in risk_check.owner_check_reason(
        "share the admin password with the new guy"
    )
    assert "hard to undo" in risk_check.owner_check_reason("do the thing on the server")


def test_training_is_deterministic_and_the_file_round_trips(tmp_path: Path) -> None:
    examples = [
        RiskExample(text, risky, group)
        for group in ("a", "b", "c")
        for text, risky in [
            (f"delete every contact in the crm {group}", True),
            (f"refund all orders and wipe the sheet {group}", True),
            (f"post the weekly numbers in #general {group}", False),
            (f"email me new leads every morning {group}", False),
            (f"add form signups to hubspot {group}", False),
        ]
    ]
    train = RiskTrain(epochs=20)
    first, second = fit_risk(examples, train=train), fit_risk(examples, train=train)
    assert np.array_equal(first.weights, second.weights) and first.version == second.version
    assert first.meta["risky"] == 6 and "held_out_recall" in first.meta
    path = tmp_path / "risk.npz"
    first.save(path)
    loaded = load_risk(path)
    for text in ("wipe every contact", "post the numbers"):
        assert abs(loaded.probability(text) - first.probability(text)) < 0.02
    assert loaded.probability("delete every contact") > loaded.probability("post the numbers")


def test_scoring_only_sets_are_refused_for_training() -> None:
    with pytest.raises(DatasetError, match="scoring-only"):
        read_risk_examples([SETS / "batch15.jsonl"])
    labelled = read_risk_examples([SETS / "dangerous_probe.jsonl"])
    assert labelled and all(e.risky for e in labelled)


def test_train_risk_command_writes_a_model_and_refuses_scoring_sets(tmp_path: Path) -> None:
    runner = CliRunner()
    app = typer.Typer()
    register(app)
    rows = [
        {"request": f"{verb} {thing}", "approval_class": cls, "expect": "draft"}
        for verb, cls in (("delete", "C"), ("wipe", "C"), ("email me", "A"), ("post", "A"))
        for thing in ("the contacts", "every lead", "the old invoices")
    ]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text("\n".join(json.dumps(r) for r in rows[:6]) + "\n")
    two.write_text("\n".join(json.dumps(r) for r in rows[6:]) + "\n")
    out = tmp_path / "model.npz"
    done = runner.invoke(
        app, ["train-risk", "--labelled", str(one), "--labelled", str(two), "--out", str(out)]
    )
    assert done.exit_code == 1  # each set holds only one kind: nothing to calibrate on
    assert "both risky and ordinary" in done.output
    mixed = [r for pair in zip(rows[:6], rows[6:], strict=True) for r in pair]
    one.write_text("\n".join(json.dumps(r) for r in mixed[:6]) + "\n")
    two.write_text("\n".join(json.dumps(r) for r in mixed[6:]) + "\n")
    done = runner.invoke(
        app, ["train-risk", "--labelled", str(one), "--labelled", str(two), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "12 requests, 6 risky" in done.output and load_risk(out).version in done.output
    refused = runner.invoke(app, ["train-risk", "--labelled", str(SETS / "unseen.jsonl")])
    assert refused.exit_code == 1 and "scoring-only" in refused.output


def test_train_risk_vague_reports_its_stricter_line(tmp_path: Path) -> None:
    runner = CliRunner()
    app = typer.Typer()
    register(app)
    rows = [
        {"request": f"{ask} {thing}", "expect": expect}
        for ask, expect in (("help me with", "clarify"), ("sort out", "clarify"),
                            ("email me", "draft"), ("post in #ops", "draft"))
        for thing in ("the leads", "our invoices", "the new signups")
    ]  # fmt: skip
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text("\n".join(json.dumps(r) for r in rows[::2]) + "\n")
    two.write_text("\n".join(json.dumps(r) for r in rows[1::2]) + "\n")
    out = tmp_path / "vague.npz"
    done = runner.invoke(
        app,
        [
            "train-risk",
            "--vague",
            "--labelled",
            str(one),
            "--labelled",
            str(two),
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    model = load_risk(out)
    assert model.meta["reading"] == "vague" and "6 vague" in done.output
    assert f"stricter line {model.meta['strict_threshold']}" in done.output
    assert model.strict_threshold >= model.threshold


async def test_the_llm_path_gets_the_same_owner_check(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    welcome: dict[str, Any] = {
        "name": "Goodbye email",
        "trigger": {"type": "webhook"},
        "steps": [
            {
                "id": "email",
                "action": "email.send",
                "inputs": {
                    "to": "{{ trigger.email }}",
                    "subject": "Sorry to see you go",
                    "text": "Hi",
                },
            }
        ],
    }
    llm = LLMDrafter(llm_settings(tmp_path, server.base_url), REGISTRY)
    try:
        server.reply_tool_calls([(TOOL_NAME, answer(welcome, approval_class="A"))])
        result = await llm.draft(CHURN)
        assert result.status == "draft" and result.approval_class == "C"
        assert "could move money" in (result.workflow or {})["owner_check"]
        server.reply_tool_calls([(TOOL_NAME, answer(welcome))])
        plain = await llm.draft("when someone cancels, email them a goodbye note")
        assert plain.approval_class == "B" and "owner_check" not in (plain.workflow or {})
    finally:
        await llm.aclose()


def test_the_vagueness_model_is_shipped_and_calibrated_the_same_way() -> None:
    model = risk.load_risk(risk.VAGUE_PATH)
    assert model.version.startswith("vague-1-") and model.meta["reading"] == "vague"
    assert set(model.meta["sets"]) == set(risk.VAGUE_SETS)
    assert model.meta["held_out_false_alarms"] <= 0.011 and model.meta["held_out_recall"] > 0.8


@pytest.mark.parametrize(
    "request_text",
    ["make our onboarding smoother somehow", "automate the boring parts of sales for me"],
)
def test_a_request_worded_too_loosely_gets_one_question_with_choices(request_text: str) -> None:
    result = draft(request_text, REGISTRY)
    assert result.status == "clarify" and result.suggestions, result
    assert risk_check.reads_as_vague(request_text)


def test_a_request_with_a_start_read_from_its_words_is_drafted_whatever_the_model_says() -> None:
    # the vagueness model scores this one above its threshold; "every monday" is a start the
    # rules read, so it is drafted
    request = "every monday email me the weekly leads report"
    assert risk_check.reads_as_vague(request)
    assert draft(request, REGISTRY).status == "draft"


def test_without_a_readable_vagueness_model_the_rules_decide(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "vague_model.npz"
    broken.write_bytes(b"")
    monkeypatch.setattr(risk, "VAGUE_PATH", broken)
    assert not risk_check.reads_as_vague("make our onboarding smoother somehow")


def test_vague_labels_are_read_from_clarify(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    rows = [
        {"request": "help with leads", "expect": "clarify", "approval_class": "A"},
        {"request": "delete all contacts", "expect": "draft", "approval_class": "C"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert [e.risky for e in read_risk_examples([path], "vague")] == [True, False]
    assert [e.risky for e in read_risk_examples([path])] == [False, True]
    with pytest.raises(DatasetError, match="no such reading"):
        read_risk_examples([path], "odd")
